using FaceAge.Core.Fusion;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sinks.Mqtt;
using FaceAge.Worker.Sinks.Outbox;
using FaceAge.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceAge.Worker.Tests.Sinks.Mqtt;

/// <summary>The MQTT sink in-process, publishing to the embedded broker, read by a real MQTT client.</summary>
public class MqttSinkTests
{
    [Fact]
    public async Task Events_become_messages_on_their_topics_with_state_retained_and_the_worker_online()
    {
        int port = Ports.Free();
        var options = new MqttOptions { Port = port, ClientId = "faceage-sink-test" };
        var broker = new EmbeddedBroker(options, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        try
        {
            var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
            using var sink = new MqttSink(options, new MqttTopics("faceage"), 1,
                new SqliteOutbox(":memory:", "mqtt", new OutboxOptions(), metrics, NullLogger.Instance),
                metrics, NullLogger<MqttSink>.Instance);
            using var stop = new CancellationTokenSource();
            using var drain = new CancellationTokenSource();
            var run = sink.RunAsync(drain.Token, stop.Token);
            var now = DateTimeOffset.UtcNow;
            sink.Accept(new CameraStatusChanged(new CameraStatus("door", CameraState.Online, null, now), "Door"));
            sink.Accept(new OccupancyChanged("door", 2, now));
            sink.Accept(new PersonLeft(new PersonEvent("p1", "door", now, now, 1, 30, 3, "25-34", "male", 0.8, 3, 100), now));
            await Task.Delay(1500);

            // A late subscriber gets the retained states, not the person (news).
            await using var late = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(10));
            await late.WaitUntilAsync(m => m.Messages.Count >= 3, TimeSpan.FromSeconds(10), "retained states");
            Assert.Equal("online", late.Json("faceage/status").Single().GetProperty("state").GetString());
            Assert.Equal(2, late.Json("/door/occupancy").Single().GetProperty("present").GetInt32());
            Assert.Equal("Door", late.Json("/door/status").Single().GetProperty("name").GetString());
            Assert.Empty(late.Json("/door/person"));
            Assert.True(sink.Ready);
            Assert.Equal(1, metrics.MqttPublished.WithLabels("person").Value);

            sink.Complete();
            stop.Cancel();
            drain.CancelAfter(TimeSpan.FromSeconds(3));
            await run.WaitAsync(TimeSpan.FromSeconds(15));
            await late.WaitUntilAsync(m => m.Json("faceage/status").Any(s => s.GetProperty("state").GetString() == "offline"), TimeSpan.FromSeconds(10),
                "offline at shutdown");
        }
        finally
        {
            await broker.StopAsync(CancellationToken.None);
            broker.Dispose();
        }
    }
}

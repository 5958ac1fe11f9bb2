using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaceAge.Worker.Sinks.Webhook;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>
/// MQTT and a webhook at once, from the real worker: the HTTPS receiver (a private CA) is down for a while and comes
/// back; every person event the worker produced reaches it, signed, in the order produced per camera, and the MQTT
/// subscriber gets the same persons.
/// </summary>
public partial class WorkerWebhookTests
{
    [GeneratedRegex(@"Person (?<id>[0-9a-f]{32}) left camera (?<camera>[A-Za-z0-9_-]+)")]
    private static partial Regex PersonLine();

    [Fact]
    public async Task Person_events_reach_mqtt_and_a_webhook_that_was_down_for_a_while_all_of_them_in_order()
    {
        const string secret = "webhook-test-secret-123";
        var certs = TestCertificates.Create("worker-webhook");
        await using var receiver = new WebhookReceiver(Ports.Free(), certs);
        // Three women for 4 s, then 5 s of black: three people leave every ~9 s per camera.
        var video = TestVideos.FromPhotos(["sample3.jpg"], seconds: 4, gap: 5);
        int mqttPort = Ports.Free();
        using var worker = WorkerProcess.Start(
            [new { Id = "cam1", Url = video, Loop = true, MaxFps = 10 }, new { Id = "cam2", Url = video, Loop = true, MaxFps = 10 }], mqttPort,
                embeddedBroker: true,
            new() { ["Webhook"] = new { Urls = new[] { receiver.Url }, Secret = secret, CaCertificatePath = certs.CaPath,
                Events = new[] { "person", "camera_status" }, TimeoutSeconds = 2 } });
        await using var mqtt = await MqttCollector.ConnectAsync(mqttPort, TimeSpan.FromSeconds(60), "faceage/+/person");

        // The receiver is down for the first 30 s of people leaving, then up.
        await mqtt.WaitUntilAsync(m => m.Messages.Count >= 6, TimeSpan.FromSeconds(90), "persons over MQTT while the webhook is down");
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Empty(receiver.Requests);
        await receiver.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(20));
        await worker.Process.StopAsync(TimeSpan.FromSeconds(40)); // shutdown flushes everyone still held
        var produced = PersonLine().Matches(worker.AllOutput).Select(m => (Id: m.Groups["id"].Value, Camera: m.Groups["camera"].Value)).ToList();
        await receiver.WaitUntilAsync(r => r.Accepted.Count(q => q.Headers["x-faceage-event"] == "person") >= produced.Count, TimeSpan.FromSeconds(30),
            "every produced person at the webhook");

        var posted = receiver.Accepted.Where(q => q.Headers["x-faceage-event"] == "person").ToList();
        foreach (var r in posted)
            Assert.Equal(WebhookSink.Signature(Encoding.UTF8.GetBytes(secret), r.Headers["x-faceage-timestamp"], r.Body), r.Headers["x-faceage-signature"]);
        var received = posted.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data"))
            .Select(d => (Id: d.GetProperty("personId").GetString()!, Camera: d.GetProperty("camera").GetString()!)).ToList();
        Assert.True(produced.Count >= 9, $"{produced.Count} persons produced");
        Assert.Equal(produced.Count, received.Distinct().Count());
        foreach (var camera in new[] { "cam1", "cam2" })
            Assert.Equal(produced.Where(p => p.Camera == camera).Select(p => p.Id), received.Where(p => p.Camera == camera).Select(p => p.Id).Distinct());
        Assert.Contains(receiver.Accepted, q => q.Headers["x-faceage-event"] == "camera_status");
        Assert.DoesNotContain(receiver.Requests, q => q.Headers["x-faceage-event"] == "occupancy"); // not asked for
        var overMqtt = mqtt.Json("/person").Select(p => p.GetProperty("personId").GetString()).ToHashSet();
        // The same persons went both ways (all but any that left before the MQTT subscriber connected).
        Assert.True(received.Count(r => overMqtt.Contains(r.Id)) >= received.Count - 3,
            $"{received.Count(r => overMqtt.Contains(r.Id))} of {received.Count} webhook persons also over MQTT");
    }
}

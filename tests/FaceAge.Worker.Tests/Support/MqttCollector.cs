using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;

namespace FaceAge.Worker.Tests.Support;

/// <summary>Subscribes to every FaceAge topic on a broker and keeps what arrives.</summary>
public sealed class MqttCollector : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<(string Topic, string Payload, DateTimeOffset At)> _messages = new();

    public IReadOnlyList<(string Topic, string Payload, DateTimeOffset At)> Messages => _messages.ToList();

    public IEnumerable<JsonElement> Json(string topicSuffix)
        => Messages.Where(m => m.Topic.EndsWith(topicSuffix, StringComparison.Ordinal)).Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone());

    /// <param name="filters">Topic filters to subscribe to (default faceage/#).</param>
    public static async Task<MqttCollector> ConnectAsync(int port, TimeSpan timeout, params string[] filters)
    {
        var collector = new MqttCollector();
        collector._client.ApplicationMessageReceivedAsync += e =>
        {
            collector._messages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), DateTimeOffset.UtcNow));
            return Task.CompletedTask;
        };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var result = await collector._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("faceage-test-"
                    + Guid.NewGuid().ToString("N")[..8]).Build());
                if (result.ResultCode == MqttClientConnectResultCode.Success) break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"cannot connect to the MQTT broker on port {port}");
            await Task.Delay(200);
        }
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters.Length > 0 ? filters : ["faceage/#"]) subscribe.WithTopicFilter(filter);
        await collector._client.SubscribeAsync(subscribe.Build());
        return collector;
    }

    public async Task WaitUntilAsync(Func<MqttCollector, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s; "
                    + $"messages:\n{string.Join("\n", Messages.Select(m => $"{m.At:HH:mm:ss.f} {m.Topic} {m.Payload}"))}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}

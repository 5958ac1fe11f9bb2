using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FaceAge.Worker.Tests.Support;

/// <summary>
/// An MQTT subscriber like a real consumer that must not miss events: a persistent session (clean session
/// off, QoS 1) that reconnects by itself whenever the broker is back, so the broker queues messages for it
/// while it is away.
/// </summary>
public sealed class PersistentSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<(string Topic, string Payload)> _messages = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly MqttClientOptions _options;
    private readonly string _filter;
    private readonly Task _keepConnected;

    private PersistentSubscriber(int port, string filter)
    {
        _filter = filter;
        _options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("faceage-consumer-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).WithTimeout(TimeSpan.FromSeconds(5)).Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _messages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
        _keepConnected = Task.Run(KeepConnectedAsync);
    }

    public IReadOnlyList<(string Topic, string Payload)> Messages => _messages.ToList();
    public bool Connected => _client.IsConnected;

    public static PersistentSubscriber Start(int port, string filter) => new(port, filter);

    private async Task KeepConnectedAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    var result = await _client.ConnectAsync(_options, _stop.Token);
                    // Subscribing again is harmless when the broker kept the session, and needed when it did not.
                    if (result.ResultCode == MqttClientConnectResultCode.Success)
                        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_filter,
                            MqttQualityOfServiceLevel.AtLeastOnce).Build(), _stop.Token);
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                }
            }
            try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _keepConnected;
        try { await _client.DisconnectAsync(); } catch (Exception) { }
        _client.Dispose();
    }
}

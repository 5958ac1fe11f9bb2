using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sinks.Outbox;
using MQTTnet;
using MQTTnet.Protocol;

namespace FaceAge.Worker.Sinks.Mqtt;

/// <summary>
/// Events as MQTT messages (topics and retain flags in <see cref="MqttTopics"/>, documents in docs/mqtt.md), sent
/// through the durable outbox and deleted only after the broker's acknowledgement (QoS 1 PUBACK). Reconnects with
/// back-off (MQTTnet 5 has no managed client). The worker status topic is retained, with a last will saying
/// "offline"; after every (re)connect "online" and the Home Assistant discovery messages are sent again.
/// </summary>
public sealed class MqttSink : OutboxSink
{
    private readonly MqttOptions _options;
    private readonly MqttTopics _topics;
    private readonly int _cameras;
    private readonly IReadOnlyList<OutboxMessage> _onConnect;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    /// <param name="onConnect">Retained messages sent after every (re)connect, e.g. Home Assistant discovery.</param>
    public MqttSink(MqttOptions options, MqttTopics topics, int cameras, SqliteOutbox outbox, WorkerMetrics metrics, ILogger<MqttSink> logger,
        IReadOnlyList<OutboxMessage>? onConnect = null) : base("mqtt", outbox, metrics, logger)
    {
        _options = options;
        _topics = topics;
        _cameras = cameras;
        _onConnect = onConnect ?? [];
    }

    public override bool Ready => _client.IsConnected;

    protected override IEnumerable<OutboxMessage> Encode(WorkerEvent e)
    {
        // The worker's own status is sent on connect (online) and at shutdown (offline, also the last will).
        if (e is WorkerStatusChanged) yield break;
        var (topic, retain) = _topics.For(e);
        yield return new OutboxMessage(topic, EventJson.Serialize(e), retain, MqttTopics.MetricKind(e));
    }

    protected override async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected) return true;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(_topics.WorkerStatus)
            .WithWillPayload(WorkerStatus("offline"))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_options.Username)) builder.WithCredentials(_options.Username, _options.EffectivePassword());
        if (_options.UseTls) builder.WithTlsOptions(BrokerTls.Options(_options));
        try
        {
            MqttClientConnectResult result;
            try
            {
                result = await _client.ConnectAsync(builder.Build(), cancellationToken);
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException e) when (e.InnerException is System.Security.Authentication.AuthenticationException tls)
            {
                // The broker's certificate did not validate (or the broker refused ours): say so plainly, it will not fix itself.
                Logger.LogWarning("MQTT broker {Host}:{Port}: TLS failed: {Reason}", _options.Host, _options.Port, tls.Message);
                Metrics.MqttConnected.Set(0);
                return false;
            }
            // MQTTnet 5 reports refusals (bad credentials, not authorized) as a result code, not an exception.
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                Logger.LogWarning("MQTT broker {Host}:{Port} refused the connection: {Code} {Reason}", _options.Host, _options.Port, result.ResultCode,
                    result.ReasonString);
                return false;
            }
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or System.Net.Sockets.SocketException or TimeoutException
            or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Logger.LogWarning("MQTT broker {Host}:{Port} not reachable: {Reason}", _options.Host, _options.Port, e.Message);
            Metrics.MqttConnected.Set(0);
            return false;
        }
        Metrics.MqttConnected.Set(1);
        Logger.LogInformation("Connected to MQTT broker {Host}:{Port}", _options.Host, _options.Port);
        await PublishAsync(new OutboxMessage(_topics.WorkerStatus, WorkerStatus("online"), true, "status"), cancellationToken);
        foreach (var message in _onConnect) await PublishAsync(message, cancellationToken);
        return _client.IsConnected;
    }

    protected override async Task<Delivery> SendAsync(long id, OutboxMessage message, CancellationToken cancellationToken)
        => await PublishAsync(message, cancellationToken);

    protected override async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            await PublishAsync(new OutboxMessage(_topics.WorkerStatus, WorkerStatus("offline"), true, "status"), cancellationToken);
            try { await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken); }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException) { }
        }
        Metrics.MqttConnected.Set(0);
    }

    private byte[] WorkerStatus(string state) => EventJson.Serialize(new WorkerStatusChanged(state, _cameras, DateTimeOffset.UtcNow));

    private async Task<Delivery> PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var mqtt = new MqttApplicationMessageBuilder()
            .WithTopic(message.Key)
            .WithPayload(message.Payload)
            .WithContentType("application/json")
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)_options.QualityOfService)
            .WithRetainFlag(message.Retain)
            .Build();
        try
        {
            var result = await _client.PublishAsync(mqtt, cancellationToken);
            if (result.IsSuccess)
            {
                Metrics.MqttPublished.WithLabels(message.Kind).Inc();
                return Delivery.Delivered;
            }
            // Connected but refused (e.g. not authorized for the topic): retrying cannot help.
            Logger.LogWarning("MQTT publish to {Topic} rejected: {Reason}", message.Key, result.ReasonCode);
            Metrics.MqttFailed.WithLabels(message.Kind).Inc();
            return Delivery.Rejected;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException
            or OperationCanceledException or IOException)
        {
            Logger.LogWarning("MQTT publish to {Topic} failed: {Reason}", message.Key, e.Message);
        }
        Metrics.MqttFailed.WithLabels(message.Kind).Inc();
        Metrics.MqttConnected.Set(_client.IsConnected ? 1 : 0);
        return Delivery.Failed;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _client.Dispose();
        base.Dispose(disposing);
    }
}

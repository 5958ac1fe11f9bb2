using System.Threading.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace FaceAge.Worker.Publishing;

/// <summary>
/// Publishes outgoing messages to the broker, reconnecting with back-off (MQTTnet 5 has no managed
/// client). The worker status topic is retained, with a last will saying "offline". A message that fails
/// is retried after the reconnect; messages wait in the bounded queue meanwhile (drops are counted).
/// </summary>
/// <param name="onConnect">Retained messages sent after every (re)connect, e.g. Home Assistant discovery.</param>
public sealed class MqttPublisher(MqttOptions options, Topics topics, WorkerMetrics metrics, ILogger<MqttPublisher> logger, int cameras, IReadOnlyList<OutgoingMessage>? onConnect = null)
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public bool Connected => _client.IsConnected;

    /// <param name="cancellationToken">Ends publishing (after the drain deadline).</param>
    /// <param name="stopping">The host is shutting down: only then is the worker announced offline.</param>
    public async Task RunAsync(ChannelReader<OutgoingMessage> input, CancellationToken cancellationToken, CancellationToken stopping)
    {
        var backoff = new Capture.Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        OutgoingMessage? pending = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!_client.IsConnected && !await ConnectAsync(cancellationToken))
                {
                    await Task.Delay(backoff.Next(), cancellationToken);
                    continue;
                }
                backoff.Reset();
                pending ??= await ReadAsync(input, cancellationToken);
                if (pending is null)
                {
                    // Every camera has ended (files without Loop); stay connected, and online, until shutdown.
                    try { await Task.Delay(Timeout.Infinite, stopping); } catch (OperationCanceledException) { }
                    break;
                }
                if (await PublishAsync(pending, cancellationToken)) pending = null;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // Drain what is already queued (shutdown flushes person events), then say goodbye.
            if (_client.IsConnected)
            {
                using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                if (pending is not null) await PublishAsync(pending, drain.Token);
                while (input.TryRead(out var item) && !drain.IsCancellationRequested) await PublishAsync(item, drain.Token);
                await PublishAsync(new OutgoingMessage(topics.WorkerStatus, Payloads.Serialize(new Payloads.WorkerStatusMessage("offline", cameras, DateTimeOffset.UtcNow)), true, "status"), drain.Token);
                try { await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), drain.Token); } catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException) { }
            }
            metrics.MqttConnected.Set(0);
        }
    }

    private static async Task<OutgoingMessage?> ReadAsync(ChannelReader<OutgoingMessage> input, CancellationToken cancellationToken)
    {
        while (await input.WaitToReadAsync(cancellationToken))
            if (input.TryRead(out var item)) return item;
        return null;
    }

    private async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(options.ClientId)
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(topics.WorkerStatus)
            .WithWillPayload(Payloads.Serialize(new Payloads.WorkerStatusMessage("offline", cameras, DateTimeOffset.UtcNow)))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(options.Username)) builder.WithCredentials(options.Username, options.Password);
        if (options.UseTls) builder.WithTlsOptions(o => o.UseTls());
        try
        {
            var result = await _client.ConnectAsync(builder.Build(), cancellationToken);
            // MQTTnet 5 reports refusals (bad credentials, not authorized) as a result code, not an exception.
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                logger.LogWarning("MQTT broker {Host}:{Port} refused the connection: {Code} {Reason}", options.Host, options.Port, result.ResultCode, result.ReasonString);
                return false;
            }
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or System.Net.Sockets.SocketException or TimeoutException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("MQTT broker {Host}:{Port} not reachable: {Reason}", options.Host, options.Port, e.Message);
            metrics.MqttConnected.Set(0);
            return false;
        }
        metrics.MqttConnected.Set(1);
        logger.LogInformation("Connected to MQTT broker {Host}:{Port}", options.Host, options.Port);
        await PublishAsync(new OutgoingMessage(topics.WorkerStatus, Payloads.Serialize(new Payloads.WorkerStatusMessage("online", cameras, DateTimeOffset.UtcNow)), true, "status"), cancellationToken);
        foreach (var message in onConnect ?? []) await PublishAsync(message, cancellationToken);
        return true;
    }

    private async Task<bool> PublishAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var mqtt = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithContentType("application/json")
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)options.QualityOfService)
            .WithRetainFlag(message.Retain)
            .Build();
        try
        {
            var result = await _client.PublishAsync(mqtt, cancellationToken);
            if (result.IsSuccess)
            {
                metrics.MqttPublished.WithLabels(message.Kind).Inc();
                return true;
            }
            // Connected but refused (e.g. not authorized for the topic): retrying cannot help; count it and move on.
            logger.LogWarning("MQTT publish to {Topic} rejected: {Reason}", message.Topic, result.ReasonCode);
            metrics.MqttFailed.WithLabels(message.Kind).Inc();
            return true;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException or OperationCanceledException or IOException)
        {
            logger.LogWarning("MQTT publish to {Topic} failed: {Reason}", message.Topic, e.Message);
        }
        metrics.MqttFailed.WithLabels(message.Kind).Inc();
        metrics.MqttConnected.Set(_client.IsConnected ? 1 : 0);
        return false;
    }
}

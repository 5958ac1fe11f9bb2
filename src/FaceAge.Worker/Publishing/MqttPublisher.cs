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
/// client). Every message goes through the persistent <see cref="SqliteOutbox"/> first, whether the broker
/// is up or not, and is deleted from it only after the broker's acknowledgement (QoS 1 PUBACK), oldest
/// first: a broker outage or a killed worker loses nothing, and order is kept. The worker status topic is
/// retained, with a last will saying "offline".
/// </summary>
/// <param name="onConnect">Retained messages sent after every (re)connect, e.g. Home Assistant discovery.</param>
public sealed class MqttPublisher(MqttOptions options, Topics topics, WorkerMetrics metrics, ILogger<MqttPublisher> logger, int cameras, SqliteOutbox outbox, IReadOnlyList<OutgoingMessage>? onConnect = null)
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public bool Connected => _client.IsConnected;

    /// <param name="cancellationToken">Ends publishing (after the drain deadline); undelivered messages stay in the outbox.</param>
    /// <param name="stopping">The host is shutting down: only then is the worker announced offline.</param>
    public async Task RunAsync(ChannelReader<OutgoingMessage> input, CancellationToken cancellationToken, CancellationToken stopping)
    {
        var intake = Task.Run(() => IntakeAsync(input, cancellationToken), CancellationToken.None);
        var backoff = new Capture.Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
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
                if (!await DeliverAsync(cancellationToken)) continue; // the connection broke: reconnect
                if (intake.IsCompleted && outbox.Count == 0)
                {
                    // Every camera has ended (files without Loop); stay connected, and online, until shutdown.
                    try { await Task.Delay(Timeout.Infinite, stopping); } catch (OperationCanceledException) { }
                    break;
                }
                await outbox.WaitForMessageAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await intake;
            // Deliver what is waiting (shutdown flushes person events), then say goodbye; the rest stays in the outbox.
            if (_client.IsConnected)
            {
                using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await DeliverAsync(drain.Token);
                await PublishAsync(new OutgoingMessage(topics.WorkerStatus, Payloads.Serialize(new Payloads.WorkerStatusMessage("offline", cameras, DateTimeOffset.UtcNow)), true, "status"), drain.Token);
                try { await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), drain.Token); } catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException) { }
            }
            if (outbox.Count > 0) logger.LogWarning("{Count} message(s) not yet delivered stay in the outbox {Path} for the next start", outbox.Count, outbox.Path);
            metrics.MqttConnected.Set(0);
        }
    }

    /// <summary>Moves every outgoing message into the outbox as it comes, connected or not, so the pipeline never waits for the broker.</summary>
    private async Task IntakeAsync(ChannelReader<OutgoingMessage> input, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in input.ReadAllAsync(cancellationToken)) outbox.Add(message);
        }
        catch (OperationCanceledException)
        {
            // Past the drain deadline: what is still queued is kept for the next start.
            while (input.TryRead(out var message)) outbox.Add(message);
        }
    }

    /// <summary>Sends the outbox oldest first, deleting each message once acknowledged; false when the connection failed.</summary>
    private async Task<bool> DeliverAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = outbox.Oldest(64);
            if (batch.Count == 0) return true;
            foreach (var entry in batch)
            {
                if (!await PublishAsync(entry.Message, cancellationToken)) return false;
                outbox.Delivered(entry.Id);
            }
        }
        return true;
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
        if (!string.IsNullOrEmpty(options.Username)) builder.WithCredentials(options.Username, options.EffectivePassword());
        if (options.UseTls) builder.WithTlsOptions(BrokerTls.Options(options));
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
                logger.LogWarning("MQTT broker {Host}:{Port}: TLS failed: {Reason}", options.Host, options.Port, tls.Message);
                metrics.MqttConnected.Set(0);
                return false;
            }
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

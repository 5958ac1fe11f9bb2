using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sinks.Outbox;

namespace FaceAge.Worker.Sinks.Webhook;

/// <summary>
/// POSTs every event as one JSON document to one receiver URL (docs/webhook.md), through the durable outbox: a
/// receiver that is down gets everything once it is back, in order (a failed POST is tried again, after a back-off,
/// before anything newer). Each POST is signed — X-FaceAge-Signature: sha256=HMAC-SHA256(secret, timestamp + "." +
/// body) — and carries a stable event id, so a receiver can check where it came from and drop a repeat (delivery is
/// at least once). 2xx is delivered; 408, 429, 5xx and network errors are tried again; any other 4xx means the
/// receiver refuses this document for good: it is dropped, logged and counted.
/// </summary>
public sealed class WebhookSink : OutboxSink
{
    private readonly Uri _url;
    private readonly string _shown; // for logs: no credentials, no query (a token may hide there)
    private readonly WebhookOptions _options;
    private readonly byte[]? _secret;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private volatile bool _failing;

    public WebhookSink(string name, Uri url, WebhookOptions options, HttpMessageHandler handler, SqliteOutbox outbox, WorkerMetrics metrics,
        ILogger<WebhookSink> logger, TimeProvider? clock = null)
        : base(name, outbox, metrics, logger)
    {
        _url = url;
        _shown = new UriBuilder(url) { UserName = "", Password = "", Query = "" }.Uri.ToString();
        _options = options;
        _secret = options.EffectiveSecret() is { Length: > 0 } s ? Encoding.UTF8.GetBytes(s) : null;
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The last POST got an answer (or none was tried yet).</summary>
    public override bool Ready => !_failing;

    /// <summary>A handler that trusts Webhook:CaCertificatePath (else the system roots) and presents the client certificate, if any.</summary>
    public static HttpMessageHandler Handler(WebhookOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
        if (!string.IsNullOrEmpty(options.CaCertificatePath))
        {
            var roots = TlsTrust.LoadRoots(options.CaCertificatePath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TlsTrust.Validate(certificate, errors, roots);
        }
        if (!string.IsNullOrEmpty(options.ClientCertificatePath))
            handler.SslOptions.ClientCertificates = [TlsTrust.LoadClientCertificate(options.ClientCertificatePath, options.ClientKeyPath!)];
        return handler;
    }

    /// <summary>The document POSTed for an event: kind, a stable id, camera, time and the event's own document (EventJson).</summary>
    public static byte[] Body(WorkerEvent e, string eventId) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        @event = e.Kind,
        eventId,
        camera = e.CameraId,
        time = e.Time,
        data = EventJson.Document(e),
    }, EventJson.Options);

    /// <summary>"sha256=" + hex HMAC-SHA256 of "&lt;timestamp&gt;.&lt;body&gt;".</summary>
    public static string Signature(byte[] secret, string timestamp, byte[] body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed, timestamp.Length + 1);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed));
    }

    protected override IEnumerable<OutboxMessage> Encode(WorkerEvent e)
    {
        if (!_options.Sends(e.Kind)) yield break;
        var eventId = Guid.NewGuid().ToString("N");
        // The key carries the event id, so the header can name it without parsing the body.
        yield return new OutboxMessage($"{e.Kind}/{eventId}", Body(e, eventId), Retain: false, e.Kind);
    }

    protected override Task<bool> ConnectAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    protected override async Task<Delivery> SendAsync(long id, OutboxMessage message, CancellationToken cancellationToken)
    {
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(message.Payload) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-FaceAge-Event", message.Kind);
        request.Headers.Add("X-FaceAge-Event-Id", message.Key[(message.Key.IndexOf('/') + 1)..]);
        request.Headers.Add("X-FaceAge-Timestamp", timestamp);
        if (_secret is not null) request.Headers.Add("X-FaceAge-Signature", Signature(_secret, timestamp, message.Payload));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                if (_failing) Logger.LogInformation("Webhook {Url} answers again", _shown);
                _failing = false;
                Metrics.WebhookPosted.WithLabels(Name, message.Kind).Inc();
                return Delivery.Delivered;
            }
            Metrics.WebhookFailed.WithLabels(Name, message.Kind).Inc();
            if (status is 408 or 429 || status >= 500)
            {
                Fail($"HTTP {status}");
                return Delivery.Failed;
            }
            _failing = false; // it answers; it just does not want this document
            Logger.LogError("Webhook {Url} refused a {Kind} event with HTTP {Status}; it is dropped (the receiver would refuse it again)", _shown, message.Kind,
                status);
            return Delivery.Rejected;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            Metrics.WebhookFailed.WithLabels(Name, message.Kind).Inc();
            Fail(e is TaskCanceledException ? $"no answer within {_options.TimeoutSeconds:0.#} s" : e.Message);
            return Delivery.Failed;
        }
    }

    private void Fail(string reason)
    {
        if (!_failing) Logger.LogWarning("Webhook {Url} failed ({Reason}); events wait in the outbox {Path} and are sent when it answers", _shown, reason,
            Outbox.Path);
        _failing = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _http.Dispose();
        base.Dispose(disposing);
    }
}

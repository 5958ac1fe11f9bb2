using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FaceAge.Worker.Tests.Support;

/// <summary>
/// A real HTTP(S) server (Kestrel on 127.0.0.1) that keeps every POST it gets, answering with a status the test
/// chooses. Stopping and starting it again on the same port is a receiver that was down for a while.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At);

    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly TestCertificates? _tls;
    private WebApplication? _app;

    public WebhookReceiver(int port, TestCertificates? tls = null)
    {
        Port = port;
        _tls = tls;
    }

    public int Port { get; }
    public string Url => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{Port}/hook";
    /// <summary>What the receiver answers (e.g. 503 to play a failing receiver).</summary>
    public int Status { get; set; } = 200;
    public IReadOnlyList<Request> Requests => _requests.ToList();
    /// <summary>Requests answered with 2xx.</summary>
    public IReadOnlyList<Request> Accepted => _requests.Where(r => r.Headers.ContainsKey("x-test-accepted")).ToList();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, listen =>
        {
            if (_tls is not null)
            {
                using var pem = X509Certificate2.CreateFromPemFile(_tls.ServerCertPath, _tls.ServerKeyPath);
                listen.UseHttps(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
            }
        }));
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            int status = Status;
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            if (status is >= 200 and < 300) headers["x-test-accepted"] = "1";
            _requests.Enqueue(new Request(context.Request.Path, headers, body.ToArray(), DateTimeOffset.UtcNow));
            return Results.StatusCode(status);
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task WaitUntilAsync(Func<WebhookReceiver, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s ({_requests.Count} "
                + "request(s) so far)");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

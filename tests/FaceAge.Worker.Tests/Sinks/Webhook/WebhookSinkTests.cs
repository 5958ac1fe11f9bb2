using System.Text;
using System.Text.Json;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sinks.Outbox;
using FaceAge.Worker.Sinks.Webhook;
using FaceAge.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceAge.Worker.Tests.Sinks.Webhook;

/// <summary>The webhook sink in-process against a real local HTTP(S) server.</summary>
public class WebhookSinkTests
{
    private const string Secret = "a-secret-of-sixteen-plus";

    private static PersonLeft Person(string camera, int n)
        => new(new PersonEvent($"p{n}", camera, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 3, 20 + n, 4, "18-24", "female", 0.9, 5, 120,
            AttentionSeconds: 2.5, Viewer: true, LongestLookSeconds: 2), DateTimeOffset.UtcNow);

    private static (WebhookSink Sink, WorkerMetrics Metrics, string OutboxPath) Sink(string url, WebhookOptions? options = null, string? outboxPath = null)
    {
        options ??= new WebhookOptions { Urls = [url], Secret = Secret, TimeoutSeconds = 2 };
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        outboxPath ??= Path.Combine(Directory.CreateTempSubdirectory("faceage-webhook").FullName, "webhook.db");
        var outbox = new SqliteOutbox(outboxPath, "webhook", new OutboxOptions(), metrics, NullLogger.Instance);
        return (new WebhookSink("webhook", new Uri(url), options, WebhookSink.Handler(options), outbox, metrics, NullLogger<WebhookSink>.Instance), metrics,
            outboxPath);
    }

    private static string Field(WebhookReceiver.Request r, string name) => JsonDocument.Parse(r.Body).RootElement.GetProperty(name).ToString();

    [Fact]
    public async Task Events_wait_while_the_receiver_is_down_and_all_arrive_in_order_signed_once_it_is_back()
    {
        await using var receiver = new WebhookReceiver(Ports.Free());
        var (sink, metrics, _) = Sink(receiver.Url);
        using var _ = sink;
        using var stop = new CancellationTokenSource();
        using var drain = new CancellationTokenSource();
        var run = sink.RunAsync(drain.Token, stop.Token);
        // Nobody listens yet: the first events fail and wait in the outbox.
        for (int i = 0; i < 5; i++) sink.Accept(Person(i % 2 == 0 ? "a" : "b", i));
        await Task.Delay(1500);
        Assert.False(sink.Ready);
        Assert.Empty(receiver.Requests);

        await receiver.StartAsync();
        for (int i = 5; i < 10; i++) sink.Accept(Person(i % 2 == 0 ? "a" : "b", i));
        await receiver.WaitUntilAsync(r => r.Accepted.Count >= 10, TimeSpan.FromSeconds(30), "ten events accepted");
        Assert.True(sink.Ready);

        var accepted = receiver.Accepted;
        Assert.Equal(10, accepted.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"p{i}"),
            accepted.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("personId").GetString()));
        foreach (var r in accepted)
        {
            Assert.Equal("person", r.Headers["x-faceage-event"]);
            Assert.Equal("person", Field(r, "event"));
            Assert.Equal(r.Headers["x-faceage-event-id"], Field(r, "eventId"));
            Assert.Equal(WebhookSink.Signature(Encoding.UTF8.GetBytes(Secret), r.Headers["x-faceage-timestamp"], r.Body), r.Headers["x-faceage-signature"]);
            Assert.StartsWith("application/json", r.Headers["content-type"]);
            // The MQTT document, attention included.
            var data = JsonDocument.Parse(r.Body).RootElement.GetProperty("data");
            Assert.Equal((2.5, true, 2.0), (data.GetProperty("attentionSeconds").GetDouble(), data.GetProperty("viewer").GetBoolean(),
                data.GetProperty("longestLookSeconds").GetDouble()));
        }
        Assert.Equal(10, accepted.Select(r => r.Headers["x-faceage-event-id"]).Distinct().Count());
        Assert.Equal(10, metrics.WebhookPosted.WithLabels("webhook", "person").Value);
        sink.Complete();
        stop.Cancel();
        drain.CancelAfter(TimeSpan.FromSeconds(3));
        await run.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_server_error_is_tried_again_and_a_refusal_is_dropped_and_counted()
    {
        await using var receiver = new WebhookReceiver(Ports.Free());
        await receiver.StartAsync();
        var (sink, metrics, _) = Sink(receiver.Url);
        using var _ = sink;
        using var stop = new CancellationTokenSource();
        using var drain = new CancellationTokenSource();
        var run = sink.RunAsync(drain.Token, stop.Token);

        receiver.Status = 503;
        sink.Accept(Person("a", 1));
        await receiver.WaitUntilAsync(r => r.Requests.Count >= 2, TimeSpan.FromSeconds(15), "the 503 tried again");
        receiver.Status = 200;
        await receiver.WaitUntilAsync(r => r.Accepted.Count == 1, TimeSpan.FromSeconds(15), "the event delivered after the 503s");

        receiver.Status = 422;
        sink.Accept(Person("a", 2));
        await receiver.WaitUntilAsync(r => r.Requests.Count(q => Field(q, "data").Contains("\"p2\"")) == 1, TimeSpan.FromSeconds(10),
            "the refused event posted");
        receiver.Status = 200;
        sink.Accept(Person("a", 3));
        await receiver.WaitUntilAsync(r => r.Accepted.Count == 2, TimeSpan.FromSeconds(10), "the next event delivered");
        Assert.Single(receiver.Requests, q => Field(q, "data").Contains("\"p2\"")); // refused for good: not posted again
        Assert.Equal(1, metrics.SinkRejected.WithLabels("webhook", "person").Value);
        sink.Complete();
        stop.Cancel();
        drain.CancelAfter(TimeSpan.FromSeconds(3));
        await run.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Https_receivers_must_chain_to_the_configured_private_ca()
    {
        var certs = TestCertificates.Create("webhook");
        await using var receiver = new WebhookReceiver(Ports.Free(), certs);
        await receiver.StartAsync();

        // Trusting the CA that signed the receiver: delivered.
        var (trusting, _, _) = Sink(receiver.Url, new WebhookOptions { Urls = [receiver.Url], CaCertificatePath = certs.CaPath, TimeoutSeconds = 2 });
        using (trusting)
        {
            using var stop = new CancellationTokenSource();
            using var drain = new CancellationTokenSource();
            var run = trusting.RunAsync(drain.Token, stop.Token);
            trusting.Accept(Person("a", 1));
            await receiver.WaitUntilAsync(r => r.Accepted.Count == 1, TimeSpan.FromSeconds(15), "the event over TLS");
            trusting.Complete();
            stop.Cancel();
            drain.CancelAfter(TimeSpan.FromSeconds(3));
            await run.WaitAsync(TimeSpan.FromSeconds(15));
        }

        // Trusting another CA: the receiver is never sent anything, and the event stays in the outbox.
        var other = TestCertificates.Create("other");
        var (doubting, _, path) = Sink(receiver.Url, new WebhookOptions { Urls = [receiver.Url], CaCertificatePath = other.CaPath, TimeoutSeconds = 2 });
        using (doubting)
        {
            using var stop = new CancellationTokenSource();
            using var drain = new CancellationTokenSource();
            var run = doubting.RunAsync(drain.Token, stop.Token);
            doubting.Accept(Person("a", 2));
            await Task.Delay(2500);
            Assert.False(doubting.Ready);
            doubting.Complete();
            stop.Cancel();
            drain.CancelAfter(TimeSpan.FromSeconds(3));
            await run.WaitAsync(TimeSpan.FromSeconds(15));
        }
        Assert.Single(receiver.Requests);
        using var reopened = new SqliteOutbox(path, "webhook", new OutboxOptions(), new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()),
            NullLogger.Instance);
        Assert.Equal(1, reopened.Count);
    }

    [Fact]
    public void Only_the_event_kinds_asked_for_are_sent()
    {
        var options = new WebhookOptions { Urls = ["http://127.0.0.1:1/hook"], Events = ["person", "stats"] };
        Assert.True(options.Sends("person"));
        Assert.False(options.Sends("occupancy"));
        Assert.Contains(new WebhookOptions { Events = ["persons"] }.Validate(), e => e.Contains("Webhook:Events 'persons'"));
        Assert.Contains(new WebhookOptions { Urls = ["ftp://x/y"] }.Validate(), e => e.Contains("Webhook:Urls:0"));
    }
}

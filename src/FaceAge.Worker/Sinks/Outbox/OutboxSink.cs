using System.Threading.Channels;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Sinks.Outbox;

/// <summary>What one delivery attempt came to.</summary>
public enum Delivery
{
    /// <summary>The receiver acknowledged it: delete it from the outbox.</summary>
    Delivered,
    /// <summary>The receiver refused this message for good (it would refuse it again): delete it, counted and logged.</summary>
    Rejected,
    /// <summary>The receiver is unreachable or failed: keep it (and everything after it), try again after a back-off.</summary>
    Failed,
}

/// <summary>
/// A sink that never loses an event: Accept encodes the event into the sink's messages and queues them; an intake
/// moves them into the sink's <see cref="SqliteOutbox"/> whether the receiver is up or not; delivery sends the
/// outbox oldest first, deleting each message once acknowledged, and on a failure waits (exponential back-off with
/// jitter) and tries the same message again, so the order is kept. What one transport does differently — connect,
/// send, say goodbye — is in its subclass.
/// </summary>
public abstract class OutboxSink : IEventSink, IDisposable
{
    private readonly Channel<OutboxMessage> _intake;
    private readonly Backoff _backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    protected OutboxSink(string name, SqliteOutbox outbox, WorkerMetrics metrics, ILogger logger)
    {
        Name = name;
        Outbox = outbox;
        Metrics = metrics;
        Logger = logger;
        // Room for bursts while the disk is slow; beyond it the oldest queued message is dropped, counted.
        _intake = Channel.CreateBounded<OutboxMessage>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => metrics.EventsDropped.WithLabels(name).Inc());
    }

    public string Name { get; }
    public abstract bool Ready { get; }
    protected SqliteOutbox Outbox { get; }
    protected WorkerMetrics Metrics { get; }
    protected ILogger Logger { get; }

    /// <summary>The messages of one event for this transport (none: the sink does not carry it).</summary>
    protected abstract IEnumerable<OutboxMessage> Encode(WorkerEvent e);

    /// <summary>Makes sure the transport can send (connects); false when it cannot yet.</summary>
    protected abstract Task<bool> ConnectAsync(CancellationToken cancellationToken);

    protected abstract Task<Delivery> SendAsync(long id, OutboxMessage message, CancellationToken cancellationToken);

    /// <summary>After the last delivery at shutdown (MQTT: say "offline", disconnect).</summary>
    protected virtual Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Accept(WorkerEvent e)
    {
        foreach (var message in Encode(e)) _intake.Writer.TryWrite(message);
    }

    public void Complete() => _intake.Writer.TryComplete();

    public async Task RunAsync(CancellationToken drainDeadline, CancellationToken stopping)
    {
        var intake = Task.Run(() => IntakeAsync(drainDeadline), CancellationToken.None);
        try
        {
            while (!drainDeadline.IsCancellationRequested)
            {
                if (!await ConnectAsync(drainDeadline) || !await DeliverAsync(drainDeadline))
                {
                    await Task.Delay(_backoff.Next(), drainDeadline);
                    continue;
                }
                _backoff.Reset();
                if (intake.IsCompleted && Outbox.Count == 0)
                {
                    // The pipeline has ended (files without Loop): stay connected until shutdown.
                    try { await Task.Delay(Timeout.Infinite, stopping); } catch (OperationCanceledException) { }
                    if (Outbox.Count == 0) break;
                    continue;
                }
                await Outbox.WaitForMessageAsync(TimeSpan.FromSeconds(1), drainDeadline);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await intake;
            // Shutdown: deliver what is waiting (shutdown flushes person events) within a few seconds; the rest stays on disk.
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                if (await ConnectAsync(last.Token)) await DeliverAsync(last.Token);
                await StoppingAsync(last.Token);
            }
            catch (OperationCanceledException)
            {
            }
            if (Outbox.Count > 0) Logger.LogWarning("{Sink}: {Count} message(s) not yet delivered stay in the outbox {Path} for the next start", Name,
                Outbox.Count, Outbox.Path);
        }
    }

    /// <summary>Moves every queued message into the outbox as it comes, so the pipeline never waits for the receiver.</summary>
    private async Task IntakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _intake.Reader.ReadAllAsync(cancellationToken)) Outbox.Add(message);
        }
        catch (OperationCanceledException)
        {
            // Past the drain deadline: what is still queued is kept for the next start.
            while (_intake.Reader.TryRead(out var message)) Outbox.Add(message);
        }
    }

    /// <summary>Sends the outbox oldest first; false when a message failed (it stays, and so does everything after it).</summary>
    private async Task<bool> DeliverAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = Outbox.Oldest(64);
            if (batch.Count == 0) return true;
            foreach (var entry in batch)
            {
                switch (await SendAsync(entry.Id, entry.Message, cancellationToken))
                {
                    case Delivery.Failed:
                        return false;
                    case Delivery.Rejected:
                        Metrics.SinkRejected.WithLabels(Name, entry.Message.Kind).Inc();
                        break;
                }
                Outbox.Delivered(entry.Id);
            }
        }
        return true;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A transport closes its connection here, then calls the base, which closes the outbox.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Outbox.Dispose();
    }
}

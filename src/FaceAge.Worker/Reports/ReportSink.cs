using FaceAge.Core.Audience;
using System.Threading.Channels;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Reports;

/// <summary>
/// Keeps every statistics window in the <see cref="ReportStore"/> as it ends: a sink like the transports, fed the same
/// events, writing on its own loop so that the pipeline never waits on the disk.
/// </summary>
/// <param name="errors">The estimator's error model the reports' figures are made with (as the windows' own).</param>
public sealed class ReportSink(ReportStore store, AudienceErrorModel errors, bool correct, WorkerMetrics metrics, ILogger logger, TimeProvider? clock = null)
    : IEventSink, IDisposable
{
    private readonly Channel<WindowStats> _windows = Channel.CreateBounded<WindowStats>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Name => "reports";

    public bool Ready => true;

    public ReportStore Store => store;

    /// <summary>A report over the stored windows, its figures made as the windows' are.</summary>
    public IReadOnlyList<ReportRow> Report(ReportRequest request) => Reports.Report.Build(store, request, errors, correct);

    public void Accept(WorkerEvent e)
    {
        if (e is WindowStats { Audience: not null } stats && !_windows.Writer.TryWrite(stats))
            metrics.EventsDropped.WithLabels(Name).Inc();
    }

    public async Task RunAsync(CancellationToken drainDeadline, CancellationToken stopping)
    {
        long deleted = 0;
        try
        {
            await foreach (var w in _windows.Reader.ReadAllAsync(drainDeadline))
            {
                store.Add(new StoredWindow(w.Camera, w.WindowStart, w.WindowEnd, w.MeanDwellSeconds, w.Audience!), _clock.GetUtcNow());
                metrics.ReportWindowsDeleted.Inc(store.Deleted - deleted);
                deleted = store.Deleted;
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Report store: {Count} window(s) not written before the drain deadline", _windows.Reader.Count);
        }
    }

    public void Complete() => _windows.Writer.TryComplete();

    public void Dispose() => store.Dispose();
}

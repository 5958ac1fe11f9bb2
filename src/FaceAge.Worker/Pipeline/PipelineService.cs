using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.LiveView;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Publishing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceAge.Worker.Pipeline;

/// <summary>
/// Wires and runs the pipeline: one <see cref="CameraPipeline"/> per camera → estimate (batched across
/// cameras) → fuse → publish. Every queue is bounded; shutdown drains them in order so no person is lost.
/// </summary>
public sealed class PipelineService(WorkerSettings settings, WorkerMetrics metrics, Topics topics, ILoggerFactory loggers, LiveViewState? liveView = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<PipelineService>();
    private MqttPublisher? _publisher;

    /// <summary>Optional observer of each sample's capture → fused latency (seconds), for benchmarks.</summary>
    public Action<double>? LatencyObserved { get; init; }

    public bool Started { get; private set; }
    public bool Ready => Started && _publisher?.Connected == true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var cameras = settings.Cameras.Where(c => c.Enabled).ToList();
        using var analyzer = FaceAnalyzer.Create(settings.Analysis, loggers);
        _logger.LogInformation("Detector {Detector}; {Count} camera(s): {Cameras}", analyzer.DetectorName, cameras.Count, string.Join(", ", cameras.Select(c => c.Id)));

        int capacity = settings.Pipeline.QueueCapacity;
        bool anyLive = cameras.Any(c => c.IsLive);
        // Crops from live cameras may be dropped when inference is behind; with files only, everyone waits.
        // Room for a burst: every track of every camera may hand in a crop in the same interval.
        var crops = StageChannels.Create<CropRequest>(Math.Max(settings.Pipeline.BatchSize * 2, capacity * cameras.Count * 2), anyLive, metrics, "all", "estimate");
        var fusion = Channel.CreateBounded<FusionInput>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        var outgoing = StageChannels.Create<OutgoingMessage>(1000, dropOldest: true, metrics, "all", "publish");
        var discovery = settings.HomeAssistant.Enabled ? HomeAssistantDiscovery.Messages(settings.HomeAssistant, topics, cameras) : null;
        using var outbox = new SqliteOutbox(settings.Outbox, metrics, loggers.CreateLogger<SqliteOutbox>());
        _publisher = new MqttPublisher(settings.Mqtt, topics, metrics, loggers.CreateLogger<MqttPublisher>(), cameras.Count, outbox, discovery);

        // Downstream stages stop when their input completes, not on the stopping token, so they drain.
        using var drainDeadline = new CancellationTokenSource();
        var publish = _publisher.RunAsync(outgoing.Reader, drainDeadline.Token, stoppingToken);
        var fuse = new FusionStage(settings, metrics, topics) { LatencyObserved = LatencyObserved, LiveView = liveView, Log = loggers.CreateLogger<FusionStage>() }.RunAsync(fusion.Reader, outgoing.Writer, drainDeadline.Token)
            .ContinueWith(_ => outgoing.Writer.TryComplete(), TaskScheduler.Default);
        var estimate = new EstimationStage(analyzer, settings.Pipeline, metrics).RunAsync(crops.Reader, fusion.Writer, drainDeadline.Token)
            .ContinueWith(t => { if (t.IsFaulted) _logger.LogError(t.Exception, "Estimate stage failed"); fusion.Writer.TryComplete(); }, TaskScheduler.Default);
        var depth = ReportDepthsAsync(crops.Reader, fusion.Reader, outgoing.Reader, stoppingToken);

        foreach (var c in cameras) liveView?.AddCamera(c.Id, c.Name);
        Started = true;
        var cameraTasks = cameras.Select(c => new CameraPipeline(c, settings, analyzer, metrics, loggers.CreateLogger($"FaceAge.Camera.{c.Id}"), crops.Writer, fusion.Writer, liveView).RunAsync(stoppingToken)).ToList();
        await Task.WhenAll(cameraTasks);
        crops.Writer.TryComplete();
        _logger.LogInformation("All cameras stopped; draining the pipeline");
        await estimate;
        await fuse;
        // Files that ended leave the publisher connected until shutdown; on shutdown the drain gets 20 s.
        stoppingToken.Register(() => drainDeadline.CancelAfter(TimeSpan.FromSeconds(20)));
        await publish;
        await depth.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReportDepthsAsync(ChannelReader<CropRequest> crops, ChannelReader<FusionInput> fusion, ChannelReader<OutgoingMessage> outgoing, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            metrics.QueueDepth.WithLabels("estimate").Set(crops.Count);
            metrics.QueueDepth.WithLabels("fuse").Set(fusion.Count);
            metrics.QueueDepth.WithLabels("publish").Set(outgoing.Count);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}

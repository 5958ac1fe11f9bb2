using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Audience;
using FaceAge.Core.Fusion;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;
using FaceAge.Core.Verification;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Detection;
using FaceAge.Worker.Estimation;
using FaceAge.Worker.Events;
using FaceAge.Worker.Fusion;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Pipeline;

/// <summary>
/// Wires and runs the pipeline: one <see cref="CameraPipeline"/> per camera → crop scheduling and estimation
/// (batched across cameras) → fusion → the event hub and its sinks. Every queue is bounded; shutdown drains them in
/// order so no person is lost. Readiness: running, and every sink ready.
/// </summary>
public sealed class PipelineService(WorkerSettings settings, WorkerMetrics metrics, EventHub events, IFrameSourceFactory sources, ILoggerFactory loggers,
    IFrameObserver? frames = null, IPersonObserver? persons = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<PipelineService>();

    /// <summary>Optional observer of each sample's capture → fused latency (seconds), for benchmarks.</summary>
    public Action<double>? LatencyObserved { get; init; }

    public bool Started { get; private set; }

    /// <summary>The crop scheduler while the pipeline runs (the bench reads per-track sampling from it).</summary>
    public CropScheduler? Crops { get; private set; }
    public bool Ready => Started && events.Ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // OpenCV's own worker threads would compete with the stages' threads, which already keep the cores busy.
        OpenCvSharp.Cv2.SetNumThreads(1);
        var cameras = settings.Cameras.Where(c => c.Enabled).ToList();
        using var analyzer = FaceAnalyzer.Create(settings.Analysis, loggers);
        _logger.LogInformation("CPU {Cpu}; ONNX Runtime {Provider}; detector {Detector}; age/gender model {Model}{Variant}",
            CpuFeatures.Current, analyzer.Provider.Name, analyzer.DetectorName, settings.Analysis.AgeGenderModel, analyzer.EstimatorVariant is { } v ? $" ({v})"
                : "");
        _logger.LogInformation("{Count} camera(s): {Cameras}; sinks: {Sinks}", cameras.Count, string.Join(", ", cameras.Select(c => c.Id)),
            string.Join(", ", events.Sinks.Select(s => s.Name)));

        var fusion = Channel.CreateBounded<FusionInput>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        var outgoing = Channel.CreateBounded<WorkerEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        using var crops = new CropScheduler(settings.Pipeline, metrics, loggers.CreateLogger<CropScheduler>());
        Crops = crops;

        // Downstream stages stop when their input completes, not on the stopping token, so they drain.
        using var drainDeadline = new CancellationTokenSource();
        var sinkRuns = events.Sinks.Select(s => RunSinkAsync(s, drainDeadline.Token, stoppingToken)).ToList();
        await outgoing.Writer.WriteAsync(new WorkerStatusChanged("online", cameras.Count, DateTimeOffset.UtcNow), stoppingToken);
        var hub = events.ForwardAsync(outgoing.Reader);
        var fuse = new FusionStage(settings, metrics, errorModel: LoadErrorModel(settings))
            {
                LatencyObserved = LatencyObserved,
                Observer = persons,
                Log = loggers.CreateLogger<FusionStage>(),
            }
            .RunAsync(fusion.Reader, outgoing.Writer, drainDeadline.Token);
        using var identity = settings.Fusion.Embedding == FusionOptions.RecognitionEmbedding
            ? CropEmbedder.Create(ModelDirectory.Locate(settings.Analysis.ModelsDirectory), analyzer.Sessions, analyzer.Sampling.Cropper)
            : null;
        _logger.LogInformation("Re-entry and track re-linking compare {Embedding}", identity?.Name ?? "the age/gender model's descriptor");
        using var poses = settings.Attention.Enabled
            ? CropHeadPose.Create(ModelDirectory.Locate(settings.Analysis.ModelsDirectory), analyzer.Sessions, analyzer.Sampling.Cropper)
            : null;
        var estimate = new EstimationStage(analyzer.Estimator, settings.Pipeline, metrics, identity, poses).RunAsync(crops, fusion.Writer, drainDeadline.Token)
            .ContinueWith(t => { if (t.IsFaulted) _logger.LogError(t.Exception, "Estimate stage failed"); fusion.Writer.TryComplete(); },
                TaskScheduler.Default);
        var depth = ReportAsync(fusion.Reader, outgoing.Reader, analyzer.RunClock, stoppingToken);

        var gate = DetectorGate.For(settings.Pipeline.ConcurrentDetections);
        _logger.LogInformation("Detector runs at once: {Slots} ({Cores} cores)", gate.Slots, Environment.ProcessorCount);
        using var stopPacing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var pacing = settings.Pipeline.MachineCpuTarget > 0
            ? new DetectorPacing(gate, settings.Pipeline.MachineCpuTarget / 100.0).RunAsync(metrics, _logger, stopPacing.Token)
            : Task.CompletedTask;
        Started = true;
        var cameraTasks = cameras.Select(c => new CameraPipeline(c, settings, analyzer.Detector, gate, analyzer.Sampling, crops, fusion.Writer, outgoing.Writer,
            sources, metrics, loggers.CreateLogger($"FaceAge.Camera.{c.Id}"), frames).RunAsync(stoppingToken)).ToList();
        await Task.WhenAll(cameraTasks);
        await stopPacing.CancelAsync();
        await pacing;
        crops.Complete();
        _logger.LogInformation("All cameras stopped; draining the pipeline");
        await estimate;
        await fuse;
        // Files that ended leave the worker online, its sinks delivering, until shutdown; then the drain gets 20 s.
        try { await Task.Delay(Timeout.Infinite, stoppingToken); } catch (OperationCanceledException) { }
        drainDeadline.CancelAfter(TimeSpan.FromSeconds(20));
        await outgoing.Writer.WriteAsync(new WorkerStatusChanged("offline", cameras.Count, DateTimeOffset.UtcNow), CancellationToken.None);
        outgoing.Writer.TryComplete();
        await hub;
        await Task.WhenAll(sinkRuns);
        await depth.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Statistics:ErrorModel (logged, also when none applies), or null.</summary>
    private AudienceErrorModel? LoadErrorModel(WorkerSettings settings)
    {
        var (model, source) = settings.Statistics.ChooseErrorModel(settings.Analysis);
        if (model is null)
        {
            _logger.LogInformation("Window figures: error model {Source}: intervals from the per-person probabilities alone", source);
            return null;
        }
        _logger.LogInformation("Window figures: error model {Source} ({Network}, measured on {Data}){Correct}", source, model.Network,
            model.MeasuredOn, settings.Statistics.Correct ? "; expected counts also corrected for its confusion" : "");
        return model;
    }

    private async Task RunSinkAsync(IEventSink sink, CancellationToken drainDeadline, CancellationToken stopping)
    {
        try
        {
            await Task.Run(() => sink.RunAsync(drainDeadline, stopping), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Sink {Sink} failed", sink.Name);
        }
    }

    private async Task ReportAsync(ChannelReader<FusionInput> fusion, ChannelReader<WorkerEvent> outgoing, ModelRunClock models,
        CancellationToken cancellationToken)
    {
        var reported = new Dictionary<string, double>();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (model, (_, seconds)) in models.Snapshot())
            {
                metrics.ModelCpu.WithLabels(model).Inc(seconds - reported.GetValueOrDefault(model));
                reported[model] = seconds;
            }
            metrics.QueueDepth.WithLabels("fuse").Set(fusion.Count);
            metrics.QueueDepth.WithLabels("publish").Set(outgoing.Count);
            foreach (var sink in events.Sinks) metrics.SinkReady.WithLabels(sink.Name).Set(sink.Ready ? 1 : 0);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}

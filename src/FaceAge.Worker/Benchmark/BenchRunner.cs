using System.Text.Json;
using FaceAge.Core.Configuration;
using FaceAge.Core.Sources;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Hosting;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Sinks.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceAge.Worker.Benchmark;

/// <summary>
/// `faceage-worker bench`: N simulated live cameras (one video file, looped, dropping frames when behind like a
/// real camera) through the whole pipeline with the embedded broker, then a JSON report: frames processed per
/// second, drops, batch sizes, capture → fused latency percentiles, CPU and peak RSS, and the machine it ran on.
/// It runs the worker's settings (appsettings.json, FACEAGE_ variables) unless an option says otherwise.
/// Steps: the worker's settings with the bench's cameras → a worker started in this process → warm-up → the measured
/// time → the report.
/// </summary>
internal static class BenchRunner
{
    private static readonly JsonSerializerOptions ReportJson = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<int> RunAsync(BenchRun run)
    {
        var settingsFile = run.Config ?? SettingsFile.Find();
        var outboxPath = Path.Combine(Path.GetTempPath(), $"faceage-bench-{Environment.ProcessId}.db");
        WorkerSettings settings;
        try
        {
            settings = ForBench(LoadSettings(settingsFile), run, outboxPath);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"bench: {settingsFile}: {e.Message}");
            return 1;
        }
        var errors = settings.Validate().ToList();
        if (errors.Count > 0)
        {
            Console.Error.WriteLine("bench: " + string.Join(" ", errors));
            return 1;
        }

        var measurement = await RunWorkerAsync(settings, run);
        var report = BenchReport.Create(run, settingsFile, settings.Analysis, settings.Pipeline, measurement);
        var json = JsonSerializer.Serialize(report, ReportJson);
        File.WriteAllText(run.Output, json);
        Console.WriteLine(json);
        foreach (var file in new[] { outboxPath, outboxPath + "-wal", outboxPath + "-shm" }) File.Delete(file);
        return 0;
    }

    private static WorkerSettings LoadSettings(string? settingsFile)
    {
        var builder = new ConfigurationBuilder();
        if (settingsFile is not null) builder.AddJsonFile(Path.GetFullPath(settingsFile), optional: false);
        return WorkerSettings.Load(builder.AddEnvironmentVariables("FACEAGE_").Build(), validate: false);
    }

    /// <summary>The worker's settings, with the bench's cameras, its own broker port and outbox, and no statistics windows in the way.</summary>
    private static WorkerSettings ForBench(WorkerSettings settings, BenchRun run, string outboxPath)
    {
        var pipeline = settings.Pipeline with { StatsWindowSeconds = 3600 };
        if (run.Flip is { } f) pipeline = pipeline with { FlipAugmentation = f };
        if (run.Model is { Length: > 0 } m) pipeline = pipeline with { AgeGenderModel = m };
        var analysis = pipeline.ApplyTo(settings.Analysis);
        if (run.Tiles is { } t) analysis = analysis with { Detector = analysis.Detector with { Tiles = t } };
        var cameras = Enumerable.Range(1, run.Streams)
            .Select(i => new CameraOptions { Id = $"s{i}", Url = run.Video, Loop = true, Live = true, MaxFps = run.Fps, DetectionWidth = 1280 })
            .ToList();
        return settings with
        {
            Cameras = cameras,
            Analysis = analysis,
            Pipeline = pipeline,
            Mqtt = new MqttOptions { Port = FreePort(), ClientId = "faceage-bench" },
            Outbox = new() { Path = outboxPath },
            Webhook = new(),
            Sharding = new(),
        };
    }

    /// <summary>Runs the worker (broker, sinks, pipeline, heap trimming, as the service does) through warm-up and the measured time.</summary>
    private static async Task<BenchMeasurement> RunWorkerAsync(WorkerSettings settings, BenchRun run)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new WorkerMetrics(registry);
        var latencies = new LatencyRecord();
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.f "; })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information)); // stdout is the JSON
        var broker = new EmbeddedBroker(settings.Mqtt, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        var hub = SinkSetup.Create(settings, metrics, loggers);
        var pipeline = new PipelineService(settings, metrics, hub, new FfmpegFrameSourceFactory(), loggers) { LatencyObserved = latencies.Add };
        using var stop = new CancellationTokenSource();
        await pipeline.StartAsync(stop.Token);
        var trim = NativeHeap.TrimPeriodicallyAsync(stop.Token); // as the worker does

        var detector = settings.Analysis.Detector;
        Console.Error.WriteLine($"bench: {run.Streams} stream(s) of {run.Video} at {run.Fps} fps, detector {detector.Kind} tiles {detector.Tiles}, "
            + $"model {settings.Analysis.AgeGenderModel}, warm-up {run.Warmup} s, measuring {run.Seconds} s …");
        await Task.Delay(TimeSpan.FromSeconds(run.Warmup));
        var measurement = await MeasureAsync(run, registry, pipeline, latencies);

        await pipeline.StopAsync(CancellationToken.None);
        stop.Cancel();
        await trim;
        await broker.StopAsync(CancellationToken.None);
        foreach (var sink in hub.Sinks) (sink as IDisposable)?.Dispose();
        return measurement;
    }

    /// <summary>The measured time: counters before and after, latencies in between, and a resource sample every SampleEvery seconds.</summary>
    private static async Task<BenchMeasurement> MeasureAsync(BenchRun run, Prometheus.CollectorRegistry registry, PipelineService pipeline,
        LatencyRecord latencies)
    {
        var before = await MetricDeltas.ReadAsync(registry);
        int endedBefore = pipeline.Crops?.EndedTracks().Count ?? 0;
        var meter = new ProcessUsage.Meter();
        latencies.Recording = true;
        var samples = new List<ResourceSample>();
        if (run.SampleEvery > 0)
        {
            while (meter.ElapsedSeconds < run.Seconds)
            {
                samples.Add(ResourceSample.Take(meter.ElapsedSeconds));
                Console.Error.WriteLine($"bench: {samples[^1]}");
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(run.SampleEvery, Math.Max(0.1, run.Seconds - meter.ElapsedSeconds))));
            }
            samples.Add(ResourceSample.Take(meter.ElapsedSeconds));
        }
        else await Task.Delay(TimeSpan.FromSeconds(run.Seconds));
        latencies.Recording = false;
        var usage = meter.Stop();
        var after = await MetricDeltas.ReadAsync(registry);
        var ended = (pipeline.Crops?.EndedTracks() ?? []).Skip(endedBefore).ToList();
        return new BenchMeasurement(usage, new MetricDeltas(before, after, usage.Seconds), ended, samples, latencies);
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

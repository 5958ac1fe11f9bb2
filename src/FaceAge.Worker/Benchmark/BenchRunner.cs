using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FaceAge.Core.Configuration;
using FaceAge.Core.Inference;
using FaceAge.Core.Sources;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Hosting;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Sinks.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace FaceAge.Worker.Benchmark;

/// <summary>
/// `faceage-worker bench`: N simulated live cameras (one video file, looped, dropping frames when behind like a
/// real camera) through the whole pipeline with the embedded broker, then a JSON report: frames processed per
/// second, drops, batch sizes, capture → fused latency percentiles, CPU and peak RSS, and the machine it ran on.
/// It runs the worker's settings (appsettings.json, FACEAGE_ variables) unless an option says otherwise.
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        var streams = new Option<int>("--streams") { Description = "Simulated cameras.", DefaultValueFactory = _ => 1 };
        var fps = new Option<double>("--fps") { Description = "Frames per second taken from each camera (Cameras:MaxFps).", DefaultValueFactory = _ => 10 };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds.", DefaultValueFactory = _ => 60 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds run before measuring.", DefaultValueFactory = _ => 10 };
        var video = new Option<string>("--video") { Description = "The video every camera plays (looped).", DefaultValueFactory = _ => "models/cache/demo/demo.mp4" };
        var output = new Option<string?>("--out") { Description = "JSON report file (default bench-<streams>.json)." };
        var config = new Option<string?>("--config") { Description = "Settings file (default: appsettings.json in the current folder or above)." };
        var tiles = new Option<int?>("--tiles") { Description = "Analysis:Detector:Tiles instead of the settings' value." };
        var flip = new Option<bool?>("--flip") { Description = "Pipeline:FlipAugmentation instead of the settings' value." };
        var model = new Option<string?>("--model") { Description = "Pipeline:AgeGenderModel instead of the settings' value." };
        var sampleEvery = new Option<double>("--sample-every") { Description = "Soak: a resource sample (RSS, GC heap, C heap in use and free, handles, threads) every N seconds (0 = none).", DefaultValueFactory = _ => 0 };
        var command = new RootCommand("faceage-worker bench: the whole pipeline on simulated live cameras, measured.");
        foreach (var o in new Option[] { streams, fps, seconds, warmup, video, output, config, tiles, flip, model, sampleEvery }) command.Options.Add(o);
        command.SetAction(async (parse, _) =>
        {
            var run = new BenchRun(parse.GetValue(streams), parse.GetValue(fps), parse.GetValue(seconds), parse.GetValue(warmup), parse.GetValue(video)!,
                parse.GetValue(output) ?? $"bench-{parse.GetValue(streams)}.json", parse.GetValue(config), parse.GetValue(tiles), parse.GetValue(flip), parse.GetValue(model), parse.GetValue(sampleEvery));
            var problems = run.Problems().ToList();
            if (problems.Count > 0)
            {
                foreach (var p in problems) Console.Error.WriteLine($"bench: {p}");
                return 1;
            }
            return await RunAsync(run);
        });
        return await command.Parse(args).InvokeAsync();
    }

    private sealed record BenchRun(int Streams, double Fps, double Seconds, double Warmup, string Video, string Output, string? Config, int? Tiles, bool? Flip, string? Model, double SampleEvery)
    {
        public IEnumerable<string> Problems()
        {
            if (Streams is < 1 or > 64) yield return $"--streams must be 1–64, got {Streams}.";
            if (Fps is <= 0 or > 60) yield return $"--fps must be in (0, 60], got {Fps}.";
            if (Seconds <= 0) yield return $"--seconds must be positive, got {Seconds}.";
            if (Warmup < 0) yield return $"--warmup must be ≥ 0, got {Warmup}.";
            if (SampleEvery < 0) yield return $"--sample-every must be ≥ 0, got {SampleEvery}.";
            if (!File.Exists(Video)) yield return $"--video {Video} not found (./build.sh setup makes the demo video).";
            if (Config is not null && !File.Exists(Config)) yield return $"--config {Config} not found.";
        }
    }

    private static async Task<int> RunAsync(BenchRun run)
    {
        var settingsFile = run.Config ?? SettingsFile.Find();
        var builder = new ConfigurationBuilder();
        if (settingsFile is not null) builder.AddJsonFile(Path.GetFullPath(settingsFile), optional: false);
        var configuration = builder.AddEnvironmentVariables("FACEAGE_").Build();
        WorkerSettings settings;
        try
        {
            settings = WorkerSettings.Load(configuration, validate: false);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"bench: {settingsFile}: {e.Message}");
            return 1;
        }
        // The worker's settings, with the bench's cameras, its own broker port and outbox, and no statistics windows in the way.
        var pipelineOptions = settings.Pipeline with { StatsWindowSeconds = 3600 };
        if (run.Flip is { } f) pipelineOptions = pipelineOptions with { FlipAugmentation = f };
        if (run.Model is { Length: > 0 } m) pipelineOptions = pipelineOptions with { AgeGenderModel = m };
        var analysis = pipelineOptions.ApplyTo(settings.Analysis);
        if (run.Tiles is { } t) analysis = analysis with { Detector = analysis.Detector with { Tiles = t } };
        var cameras = Enumerable.Range(1, run.Streams).Select(i => new CameraOptions { Id = $"s{i}", Url = run.Video, Loop = true, Live = true, MaxFps = run.Fps, DetectionWidth = 1280 }).ToList();
        var outboxPath = Path.Combine(Path.GetTempPath(), $"faceage-bench-{Environment.ProcessId}.db");
        settings = settings with
        {
            Cameras = cameras, Analysis = analysis, Pipeline = pipelineOptions,
            Mqtt = new MqttOptions { Port = FreePort(), ClientId = "faceage-bench" },
            Outbox = new() { Path = outboxPath },
            Webhook = new(),
            Sharding = new(),
        };
        var errors = settings.Validate().ToList();
        if (errors.Count > 0) { Console.Error.WriteLine("bench: " + string.Join(" ", errors)); return 1; }

        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new WorkerMetrics(registry);
        var latencies = new LatencyRecord();
        bool measuring = false;
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.f "; })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information)); // stdout is the JSON
        var broker = new EmbeddedBroker(settings.Mqtt, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        var hub = SinkSetup.Create(settings, metrics, loggers);
        var pipeline = new PipelineService(settings, metrics, hub, new FfmpegFrameSourceFactory(), loggers)
        {
            LatencyObserved = l => { if (measuring) latencies.Add(l); },
        };
        using var stop = new CancellationTokenSource();
        await pipeline.StartAsync(stop.Token);
        var trim = NativeHeap.TrimPeriodicallyAsync(stop.Token); // as the worker does

        Console.Error.WriteLine($"bench: {run.Streams} stream(s) of {run.Video} at {run.Fps} fps, detector {analysis.Detector.Kind} tiles {analysis.Detector.Tiles}, model {analysis.AgeGenderModel}, warm-up {run.Warmup} s, measuring {run.Seconds} s …");
        await Task.Delay(TimeSpan.FromSeconds(run.Warmup));
        var process = Process.GetCurrentProcess();
        var before = await Snapshot(registry);
        var cpuBefore = process.TotalProcessorTime;
        var machineBefore = MachineCpu();
        double childrenBefore = ChildrenCpuSeconds();
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var pausedBefore = GC.GetTotalPauseDuration();
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        int endedBefore = pipeline.Crops?.EndedTracks().Count ?? 0;
        var clock = Stopwatch.StartNew();
        measuring = true;
        var samples = new List<ResourceSample>();
        if (run.SampleEvery > 0)
        {
            while (clock.Elapsed.TotalSeconds < run.Seconds)
            {
                samples.Add(ResourceSample.Take(clock.Elapsed.TotalSeconds));
                Console.Error.WriteLine($"bench: {samples[^1]}");
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(run.SampleEvery, Math.Max(0.1, run.Seconds - clock.Elapsed.TotalSeconds))));
            }
            samples.Add(ResourceSample.Take(clock.Elapsed.TotalSeconds));
        }
        else await Task.Delay(TimeSpan.FromSeconds(run.Seconds));
        measuring = false;
        double wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall;
        double ffmpegCpu = (ChildrenCpuSeconds() - childrenBefore) / wall;
        double allocatedMiB = (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0 / wall;
        double gcPause = (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds / wall;
        double jit = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds / wall;
        var machineAfter = MachineCpu();
        double machineTotal = machineAfter.Total - machineBefore.Total;
        double machineBusy = machineTotal > 0 ? (machineAfter.Busy - machineBefore.Busy) / machineTotal : double.NaN;
        var after = await Snapshot(registry);
        // Tracks that ended while measuring and were present at least 2 s: their sampling rate and time to a first sample.
        var ended = (pipeline.Crops?.EndedTracks() ?? []).Skip(endedBefore).Where(t => t.Present >= TimeSpan.FromSeconds(2)).ToList();
        var perTrackRates = ended.Select(t => t.Samples / t.Present.TotalSeconds).Order().ToList();
        var firstSample = ended.Where(t => t.FirstSampleAfter is not null).Select(t => t.FirstSampleAfter!.Value.TotalSeconds).Order().ToList();
        static double Quantile(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))], 2);
        await pipeline.StopAsync(CancellationToken.None);
        stop.Cancel();
        await trim;
        await broker.StopAsync(CancellationToken.None);
        foreach (var sink in hub.Sinks) (sink as IDisposable)?.Dispose();

        double DeltaWhere(Func<string, bool> key) => after.Where(kv => key(kv.Key)).Sum(kv => kv.Value) - before.Where(kv => key(kv.Key)).Sum(kv => kv.Value);
        double Delta(string prefix) => DeltaWhere(k => k.StartsWith(prefix, StringComparison.Ordinal));
        // Per second over the measured time, summed over the series of one counter that carry a label value.
        double PerSecond(string counter, string label) => Math.Round(DeltaWhere(k => k.StartsWith(counter + "{", StringComparison.Ordinal) && k.Contains(label, StringComparison.Ordinal)) / wall, 1);
        double decoded = Delta("faceage_frames_decoded_total");
        // Frames dropped by the capture, detection and tracking stages; crops the estimator let expire are counted apart.
        double DroppedDelta(bool estimate) => DeltaWhere(k => k.StartsWith("faceage_frames_dropped_total{", StringComparison.Ordinal)
            && k.Contains("stage=\"estimate\"", StringComparison.Ordinal) == estimate);
        double droppedFrames = DroppedDelta(estimate: false);
        double expiredCrops = DroppedDelta(estimate: true);
        double batches = Delta("faceage_inference_batch_size_count"), crops = Delta("faceage_inference_batch_size_sum");
        double detectorRuns = Delta("faceage_inference_seconds_count{model=\"detector\"}");
        double detectorSeconds = Delta("faceage_inference_seconds_sum{model=\"detector\"}");
        double estimatorSeconds = Delta("faceage_inference_seconds_sum{model=\"age_gender\"}");
        double Stage(string stage) => Delta($"faceage_stage_cpu_seconds_total{{stage=\"{stage}\"}}") / wall;
        double Model(string file) => Delta($"faceage_model_cpu_seconds_total{{model=\"{file}\"}}") / wall;
        var detectorFile = (analysis.Detector.ModelPath is { Length: > 0 } mp ? Path.GetFileName(mp) : FaceAge.Core.Detection.DetectorRegistry.Find(analysis.Detector.Kind)!.DefaultModelFile);
        double detectorModel = Model(detectorFile);
        // Every other model run is the estimator's: the backbone, the face models a trained head reads, the head, the face check.
        double estimatorModel = DeltaWhere(k => k.StartsWith("faceage_model_cpu_seconds_total{", StringComparison.Ordinal)
            && !k.Contains($"model=\"{detectorFile}\"", StringComparison.Ordinal)) / wall;
        double detect = Stage("detect"), estimate = Stage("estimate"), crop = Stage("crop"), track = Stage("track");
        double other = Math.Max(0, cpu - detect - estimate - crop - track);
        double own = Math.Max(0, cpu - detectorModel - estimatorModel);
        double tracks = after.Where(kv => kv.Key.StartsWith("faceage_tracks_active", StringComparison.Ordinal)).Sum(kv => kv.Value);
        double Percentile(double p) => latencies.Percentile(p);
        var report = new
        {
            machine = MachineDescription.Current(),
            settings = new
            {
                file = settingsFile is null ? null : Path.GetFullPath(settingsFile),
                streams = run.Streams, fps = run.Fps, video = Path.GetFileName(run.Video),
                detector = analysis.Detector.Kind, detectorFile = analysis.Detector.ModelPath is { Length: > 0 } dm ? dm : detectorFile, tiles = analysis.Detector.Tiles, detectEveryNthFrame = pipelineOptions.DetectEveryNthFrame,
                model = analysis.AgeGenderModel, head = analysis.AgeGenderHead is { Length: > 0 } h ? h : null, flipAugmentation = analysis.FlipAugmentation,
                samplesPerSecondPerTrack = pipelineOptions.SamplesPerSecondPerTrack, sampleMaxAgeMilliseconds = pipelineOptions.SampleMaxAgeMilliseconds,
                batchSize = pipelineOptions.BatchSize, batchMaxWaitMilliseconds = pipelineOptions.BatchMaxWaitMilliseconds,
            },
            seconds = Math.Round(wall, 1),
            framesDecodedPerSecond = Math.Round(decoded / wall, 1),
            framesDetectedPerSecond = Math.Round(detectorRuns / wall, 1),
            framesDroppedPerSecond = Math.Round(droppedFrames / wall, 1),
            // Frames that got the detector's small-face tiles, and tile passes put off because a camera's detector was behind.
            framesTiledPerSecond = PerSecond("faceage_detector_tile_passes_total", "outcome=\"run\""),
            tilePassesPostponedPerSecond = PerSecond("faceage_detector_tile_passes_total", "outcome=\"postponed\""),
            framesDroppedPerSecondByStage = new[] { "detect", "track" }.ToDictionary(stage => stage, stage => PerSecond("faceage_frames_dropped_total", $"stage=\"{stage}\"")),
            dropRatio = decoded > 0 ? Math.Round(droppedFrames / decoded, 3) : 0,
            cropsExpiredPerSecond = Math.Round(expiredCrops / wall, 2),
            ageGenderInferencesPerSecond = Math.Round(crops / wall, 1),
            samplesPerTrackPerSecond = WorkerProcessValue(after, "faceage_sampling_rate"),
            perTrack = new
            {
                tracks = ended.Count,
                withoutSample = ended.Count(t => t.Samples == 0),
                samplesPerSecondMin = Quantile(perTrackRates, 0), samplesPerSecondP5 = Quantile(perTrackRates, 0.05), samplesPerSecondMedian = Quantile(perTrackRates, 0.5),
                firstSampleSecondsMedian = Quantile(firstSample, 0.5), firstSampleSecondsP95 = Quantile(firstSample, 0.95),
            },
            tracksAtEnd = tracks,
            meanBatchSize = batches > 0 ? Math.Round(crops / batches, 2) : 0,
            latencySeconds = new { samples = latencies.Count, p50 = Math.Round(Percentile(0.50), 3), p95 = Math.Round(Percentile(0.95), 3), p99 = Math.Round(Percentile(0.99), 3) },
            // Where the CPU goes, in cores (CPU seconds per second): ffmpeg from its processes, the stages from their
            // threads' CPU time, model runs from inside ONNX Runtime's Run (all of it with IntraOpThreads 1).
            cpuCores = new
            {
                ffmpegDecodeAndScale = Math.Round(ffmpegCpu, 3),
                detectorModel = Math.Round(detectorModel, 3),
                detectorPrepareAndDecode = Math.Round(Math.Max(0, detect - detectorModel), 3),
                estimatorModel = Math.Round(estimatorModel, 3),
                estimatorPrepare = Math.Round(Math.Max(0, estimate - estimatorModel), 3),
                crop = Math.Round(crop, 3),
                track = Math.Round(track, 3),
                otherWorker = Math.Round(other, 3),
                // Seconds per second the JIT compiled while measuring (wall time, any thread; in steady state its background tier-up,
                // which otherWorker counts): a warm-up too short for a steady-state figure shows here.
                jitCompilation = Math.Round(jit, 3),
                worker = Math.Round(cpu, 3),
                pipelineOwnShareOfCpu = cpu + ffmpegCpu > 0 ? Math.Round(own / (cpu + ffmpegCpu), 3) : 0,
            },
            detectorMsPerRun = detectorRuns > 0 ? Math.Round(detectorSeconds / detectorRuns * 1000, 1) : 0,
            estimatorMsPerFace = crops > 0 ? Math.Round(estimatorSeconds / crops * 1000, 1) : 0,
            cpuPercentOfMachine = Math.Round(cpu / Environment.ProcessorCount * 100, 1),
            machineCpuPercent = Math.Round(machineBusy * 100, 1),
            peakRssMiB = Math.Round(process.PeakWorkingSet64 / 1048576.0, 0),
            managedAllocationMiBPerSecond = Math.Round(allocatedMiB, 1),
            gcPauseShare = Math.Round(gcPause, 4),
            resourceSamples = samples.Count > 0 ? samples : null,
            // Growth after the warm-up, declared before the soak runs: the median of the last third of the samples
            // over the median of the first third (a median, because the thread pool and the frames in flight make
            // single samples swing), and the least-squares trend over the whole run (start to end of the fitted
            // line), in percent.
            growthPercent = samples.Count >= 10 ? ResourceSample.PerResource(samples, ResourceSample.Growth) : null,
            trendPercent = samples.Count >= 10 ? ResourceSample.PerResource(samples, ResourceSample.Trend) : null,
        };
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        File.WriteAllText(run.Output, json);
        Console.WriteLine(json);
        foreach (var file in new[] { outboxPath, outboxPath + "-wal", outboxPath + "-shm" }) File.Delete(file);
        return 0;
    }

    /// <summary>CPU seconds of the ffmpeg readers: those still running (/proc/&lt;pid&gt;/stat) and those already reaped (this process's cutime + cstime).</summary>
    private static double ChildrenCpuSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        double tick = 100.0; // USER_HZ on Linux
        static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var self = Fields(File.ReadAllText("/proc/self/stat"));
        double total = (double.Parse(self[13], CultureInfo.InvariantCulture) + double.Parse(self[14], CultureInfo.InvariantCulture)) / tick; // cutime, cstime
        int me = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var f = Fields(File.ReadAllText(Path.Combine(dir, "stat")));
                if (int.Parse(f[1], CultureInfo.InvariantCulture) == me)
                    total += (double.Parse(f[11], CultureInfo.InvariantCulture) + double.Parse(f[12], CultureInfo.InvariantCulture)) / tick; // utime, stime
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
        return total;
    }

    private static double WorkerProcessValue(Dictionary<string, double> values, string series) => values.TryGetValue(series, out var v) ? Math.Round(v, 2) : double.NaN;

    /// <summary>
    /// Capture → fused latencies as counts per millisecond up to a minute (longer ones in the last bucket): fixed memory,
    /// so a two-hour soak does not measure the bench's own record growing; percentiles are exact to the millisecond.
    /// </summary>
    private sealed class LatencyRecord
    {
        private readonly long[] _perMillisecond = new long[60_000];
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Add(double seconds)
        {
            int bucket = (int)Math.Clamp(Math.Ceiling(seconds * 1000), 0, _perMillisecond.Length - 1);
            Interlocked.Increment(ref _perMillisecond[bucket]);
            Interlocked.Increment(ref _count);
        }

        /// <summary>The smallest latency (ms resolution, in seconds) that at least a share <paramref name="p"/> of the samples do not exceed.</summary>
        public double Percentile(double p)
        {
            long count = Count;
            if (count == 0) return double.NaN;
            long rank = Math.Max(1, (long)Math.Ceiling(p * count)), seen = 0;
            for (int ms = 0; ms < _perMillisecond.Length; ms++)
                if ((seen += Interlocked.Read(ref _perMillisecond[ms])) >= rank) return ms / 1000.0;
            return (_perMillisecond.Length - 1) / 1000.0;
        }
    }

    /// <summary>Process resources at one moment of a soak run.</summary>
    private sealed record ResourceSample(double Seconds, double RssMiB, double GcHeapMiB, int Handles, int Threads, double? NativeInUseMiB, double? NativeFreeMiB)
    {
        public static ResourceSample Take(double seconds)
        {
            using var self = Process.GetCurrentProcess();
            int handles = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : self.HandleCount;
            // Live managed heap after a full collection: what a leak would grow (a plain reading swings with GC timing).
            double gcHeap = Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, 1);
            // The C heap (ONNX Runtime, OpenCV): in use vs held free tells a native leak from fragmentation.
            var native = NativeHeap.Usage();
            return new ResourceSample(Math.Round(seconds, 1), Math.Round(self.WorkingSet64 / 1048576.0, 1), gcHeap, handles, self.Threads.Count,
                native is { } n ? Math.Round(n.InUse / 1048576.0, 1) : null, native is { } m ? Math.Round(m.Free / 1048576.0, 1) : null);
        }

        /// <summary>One figure per resource (RSS, GC heap, handles, threads) by the same measure.</summary>
        public static object PerResource(List<ResourceSample> samples, Func<List<ResourceSample>, Func<ResourceSample, double>, double> measure) => new
        {
            rss = measure(samples, s => s.RssMiB),
            gcHeap = measure(samples, s => s.GcHeapMiB),
            handles = measure(samples, s => s.Handles),
            threads = measure(samples, s => s.Threads),
            nativeInUse = samples.All(s => s.NativeInUseMiB is not null) ? measure(samples, s => s.NativeInUseMiB!.Value) : (double?)null,
            nativeFree = samples.All(s => s.NativeFreeMiB is not null) ? measure(samples, s => s.NativeFreeMiB!.Value) : (double?)null,
        };

        public static double Growth(List<ResourceSample> samples, Func<ResourceSample, double> value)
        {
            int third = samples.Count / 3;
            double first = Median(samples.Take(third).Select(value)), last = Median(samples.TakeLast(third).Select(value));
            return first > 0 ? Math.Round((last - first) / first * 100, 1) : 0;
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        public static double Trend(List<ResourceSample> samples, Func<ResourceSample, double> value)
        {
            double mx = samples.Average(s => s.Seconds), my = samples.Average(value);
            double sxy = samples.Sum(s => (s.Seconds - mx) * (value(s) - my)), sxx = samples.Sum(s => (s.Seconds - mx) * (s.Seconds - mx));
            double slope = sxx > 0 ? sxy / sxx : 0;
            double start = my + slope * (samples[0].Seconds - mx), end = my + slope * (samples[^1].Seconds - mx);
            return start > 0 ? Math.Round((end - start) / start * 100, 1) : 0;
        }

        public override string ToString() => $"t={Seconds:0}s rss={RssMiB} MiB gc={GcHeapMiB} MiB native={NativeInUseMiB} MiB (free {NativeFreeMiB}) handles={Handles} threads={Threads}";
    }

    private static async Task<Dictionary<string, double>> Snapshot(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var values = new Dictionary<string, double>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) values[line[..space]] = v;
        }
        return values;
    }

    /// <summary>Busy and total CPU time of the whole machine so far (/proc/stat), so ffmpeg readers count too; zeros where there is no /proc.</summary>
    private static (double Busy, double Total) MachineCpu()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        double idle = fields[3] + fields[4]; // idle + iowait
        double total = fields.Take(8).Sum();  // user nice system idle iowait irq softirq steal
        return (total - idle, total);
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

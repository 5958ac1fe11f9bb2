using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace FaceAge.Worker.Benchmark;

/// <summary>
/// `faceage-worker bench`: N simulated live cameras (one video file, looped, dropping frames when
/// behind like a real camera) through the whole pipeline with the embedded broker, then a JSON report:
/// frames processed per second, drops, batch sizes, capture → fused latency percentiles, CPU and peak RSS.
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int streams = int.Parse(Arg("--streams", "1"), CultureInfo.InvariantCulture);
        double fps = double.Parse(Arg("--fps", "10"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Arg("--seconds", "60"), CultureInfo.InvariantCulture);
        double warmup = double.Parse(Arg("--warmup", "10"), CultureInfo.InvariantCulture);
        string video = Arg("--video", "models/cache/demo/demo.mp4");
        string output = Arg("--out", $"bench-{streams}.json");
        int tiles = int.Parse(Arg("--tiles", "1"), CultureInfo.InvariantCulture);
        bool? flip = args.Contains("--flip") ? bool.Parse(Arg("--flip", "true")) : null;
        string? model = args.Contains("--model") ? Arg("--model", "") : null;
        // Soak mode: resource samples every N seconds (RSS, GC heap, handles, threads) to show there is no growth.
        double sampleEvery = double.Parse(Arg("--sample-every", "0"), CultureInfo.InvariantCulture);
        if (!File.Exists(video)) { Console.Error.WriteLine($"bench: video not found: {video} (./build.sh setup makes the demo video)"); return 1; }

        var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath("appsettings.json"), optional: true).AddEnvironmentVariables("FACEAGE_").Build();
        var pipelineOptions = (configuration.GetSection("Pipeline").Get<PipelineOptions>() ?? new PipelineOptions()) with { StatsWindowSeconds = 3600 };
        if (flip is { } f) pipelineOptions = pipelineOptions with { FlipAugmentation = f };
        if (model is { Length: > 0 }) pipelineOptions = pipelineOptions with { AgeGenderModel = model };
        var analysis = pipelineOptions.ApplyTo(configuration.GetSection("Analysis").Get<AnalyzerOptions>() ?? new AnalyzerOptions());
        analysis = analysis with { Detector = analysis.Detector with { Tiles = tiles } };
        var cameras = Enumerable.Range(1, streams).Select(i => new CameraOptions { Id = $"s{i}", Url = video, Loop = true, Live = true, MaxFps = fps, DetectionWidth = 1280 }).ToList();
        var settings = new WorkerSettings(cameras, analysis, pipelineOptions, new(), new(), new(),
            new MqttOptions { Port = FreePort(), ClientId = "faceage-bench" });
        // The bench writes its outbox to a temporary file (deleted at the end), like a real worker writes to disk.
        var outboxPath = Path.Combine(Path.GetTempPath(), $"faceage-bench-{Environment.ProcessId}.db");
        settings = settings with { Outbox = new OutboxOptions { Path = outboxPath } };
        var errors = settings.Validate().ToList();
        if (errors.Count > 0) { Console.Error.WriteLine(string.Join(" ", errors)); return 1; }

        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new WorkerMetrics(registry);
        var latencies = new List<double>();
        bool measuring = false;
        var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.f "; }).SetMinimumLevel(LogLevel.Information));
        var broker = new EmbeddedBroker(settings.Mqtt, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        var pipeline = new PipelineService(settings, metrics, new Topics("faceage"), loggers)
        {
            LatencyObserved = l => { if (measuring) lock (latencies) latencies.Add(l); },
        };
        using var stop = new CancellationTokenSource();
        await pipeline.StartAsync(stop.Token);

        Console.Error.WriteLine($"bench: {streams} stream(s) of {video} at {fps} fps, warm-up {warmup} s, measuring {seconds} s …");
        await Task.Delay(TimeSpan.FromSeconds(warmup));
        var process = Process.GetCurrentProcess();
        var before = await Snapshot(registry);
        var cpuBefore = process.TotalProcessorTime;
        var machineBefore = MachineCpu();
        var clock = Stopwatch.StartNew();
        measuring = true;
        var samples = new List<ResourceSample>();
        if (sampleEvery > 0)
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                samples.Add(ResourceSample.Take(clock.Elapsed.TotalSeconds));
                Console.Error.WriteLine($"bench: {samples[^1]}");
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(sampleEvery, Math.Max(0.1, seconds - clock.Elapsed.TotalSeconds))));
            }
            samples.Add(ResourceSample.Take(clock.Elapsed.TotalSeconds));
        }
        else await Task.Delay(TimeSpan.FromSeconds(seconds));
        measuring = false;
        double wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall;
        var machineAfter = MachineCpu();
        double machineTotal = machineAfter.Total - machineBefore.Total;
        double machineBusy = machineTotal > 0 ? (machineAfter.Busy - machineBefore.Busy) / machineTotal : double.NaN;
        var after = await Snapshot(registry);
        await pipeline.StopAsync(CancellationToken.None);
        await broker.StopAsync(CancellationToken.None);

        double Delta(string prefix) => after.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value) - before.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);
        double decoded = Delta("faceage_frames_decoded_total");
        double droppedDetect = Delta("faceage_frames_dropped_total{camera=\"s");
        double droppedEstimate = Delta("faceage_frames_dropped_total{camera=\"all\",stage=\"estimate\"}");
        double batches = Delta("faceage_inference_batch_size_count"), crops = Delta("faceage_inference_batch_size_sum");
        double detectorRuns = Delta("faceage_inference_seconds_count{model=\"detector\"}");
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var report = new
        {
            streams, fps, video = Path.GetFileName(video), tiles, flipAugmentation = analysis.FlipAugmentation, model = analysis.AgeGenderModel, seconds = Math.Round(wall, 1), cores = Environment.ProcessorCount,
            framesDecodedPerSecond = Math.Round(decoded / wall, 1),
            framesDetectedPerSecond = Math.Round(detectorRuns / wall, 1),
            framesDroppedPerSecond = Math.Round(droppedDetect / wall, 1),
            dropRatio = decoded > 0 ? Math.Round(droppedDetect / decoded, 3) : 0,
            cropsDroppedPerSecond = Math.Round(droppedEstimate / wall, 2),
            ageGenderInferencesPerSecond = Math.Round(crops / wall, 1),
            meanBatchSize = batches > 0 ? Math.Round(crops / batches, 2) : 0,
            latencySeconds = new { samples = latencies.Count, p50 = Math.Round(Percentile(0.50), 3), p95 = Math.Round(Percentile(0.95), 3), p99 = Math.Round(Percentile(0.99), 3) },
            cpuPercentOfMachine = Math.Round(cpu / Environment.ProcessorCount * 100, 1),
            machineCpuPercent = Math.Round(machineBusy * 100, 1),
            peakRssMiB = Math.Round(process.PeakWorkingSet64 / 1048576.0, 0),
            resourceSamples = samples.Count > 0 ? samples : null,
            // Growth after the warm-up, declared before the soak runs: the median of the last third of the samples
            // over the median of the first third (a median, because the thread pool and the frames in flight make
            // single samples swing), and the least-squares trend over the whole run (start to end of the fitted
            // line), in percent.
            growthPercent = samples.Count >= 10 ? ResourceSample.PerResource(samples, ResourceSample.Growth) : null,
            trendPercent = samples.Count >= 10 ? ResourceSample.PerResource(samples, ResourceSample.Trend) : null,
        };
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(output, json);
        Console.WriteLine(json);
        foreach (var file in new[] { outboxPath, outboxPath + "-wal", outboxPath + "-shm" }) File.Delete(file);
        return 0;
    }

    /// <summary>Process resources at one moment of a soak run.</summary>
    private sealed record ResourceSample(double Seconds, double RssMiB, double GcHeapMiB, int Handles, int Threads)
    {
        public static ResourceSample Take(double seconds)
        {
            using var self = Process.GetCurrentProcess();
            int handles = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : self.HandleCount;
            return new ResourceSample(Math.Round(seconds, 1), Math.Round(self.WorkingSet64 / 1048576.0, 1),
                // Live managed heap after a full collection: what a leak would grow (a plain reading swings with GC timing).
                Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, 1), handles, self.Threads.Count);
        }

        /// <summary>One figure per resource (RSS, GC heap, handles, threads) by the same measure.</summary>
        public static object PerResource(List<ResourceSample> samples, Func<List<ResourceSample>, Func<ResourceSample, double>, double> measure) => new
        {
            rss = measure(samples, s => s.RssMiB),
            gcHeap = measure(samples, s => s.GcHeapMiB),
            handles = measure(samples, s => s.Handles),
            threads = measure(samples, s => s.Threads),
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

        public override string ToString() => $"t={Seconds:0}s rss={RssMiB} MiB gc={GcHeapMiB} MiB handles={Handles} threads={Threads}";
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

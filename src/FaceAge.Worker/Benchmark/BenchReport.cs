using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Estimation;

namespace FaceAge.Worker.Benchmark;

/// <summary>What one bench run measured: the process's usage, the worker's own metrics, its tracks' sampling and latencies.</summary>
internal sealed record BenchMeasurement(
    ProcessUsage Usage, MetricDeltas Metrics, IReadOnlyList<CropScheduler.TrackSampling> EndedTracks, IReadOnlyList<ResourceSample> Samples,
    LatencyRecord Latencies);

/// <summary>
/// The bench's JSON report, built from a measurement: throughput, drops, sampling per track, latency percentiles, where
/// the CPU went (ffmpeg, model runs, the pipeline's own work) and memory; the machine and the settings it ran with.
/// </summary>
internal static class BenchReport
{
    public static object Create(BenchRun run, string? settingsFile, AnalyzerOptions analysis, PipelineOptions pipeline, BenchMeasurement m)
    {
        var (usage, metrics) = (m.Usage, m.Metrics);
        double wall = usage.Seconds;
        var detectorFile = analysis.Detector.ModelPath is { Length: > 0 } mp ? Path.GetFileName(mp)
            : DetectorRegistry.Find(analysis.Detector.Kind)!.DefaultModelFile;
        double decoded = metrics.Of("faceage_frames_decoded_total");
        // Frames dropped by the capture, detection and tracking stages; crops the estimator let expire are counted apart.
        double Dropped(bool estimate) => metrics.Where(k => k.StartsWith("faceage_frames_dropped_total{", StringComparison.Ordinal)
            && k.Contains("stage=\"estimate\"", StringComparison.Ordinal) == estimate);
        double droppedFrames = Dropped(estimate: false);
        double batches = metrics.Of("faceage_inference_batch_size_count"), crops = metrics.Of("faceage_inference_batch_size_sum");
        double detectorRuns = metrics.Of("faceage_inference_seconds_count{model=\"detector\"}");
        double detectorSeconds = metrics.Of("faceage_inference_seconds_sum{model=\"detector\"}");
        double estimatorSeconds = metrics.Of("faceage_inference_seconds_sum{model=\"age_gender\"}");
        // Head pose (Attention:Enabled) runs on the same batches as age/gender: landmarks and the map, wall time per crop.
        double poseSeconds = metrics.Of("faceage_inference_seconds_sum{model=\"pose\"}");
        return new
        {
            machine = MachineDescription.Current(),
            settings = Settings(run, settingsFile, analysis, pipeline, detectorFile),
            seconds = Math.Round(wall, 1),
            framesDecodedPerSecond = Math.Round(decoded / wall, 1),
            framesDetectedPerSecond = Math.Round(detectorRuns / wall, 1),
            framesDroppedPerSecond = Math.Round(droppedFrames / wall, 1),
            // Frames that got the detector's small-face tiles, and tile passes put off because a camera's detector was behind.
            framesTiledPerSecond = metrics.PerSecond("faceage_detector_tile_passes_total", "outcome=\"run\""),
            tilePassesPostponedPerSecond = metrics.PerSecond("faceage_detector_tile_passes_total", "outcome=\"postponed\""),
            framesDroppedPerSecondByStage = DroppedStages.ToDictionary(stage => stage, stage => metrics.PerSecond("faceage_frames_dropped_total",
                $"stage=\"{stage}\"")),
            dropRatio = decoded > 0 ? Math.Round(droppedFrames / decoded, 3) : 0,
            cropsExpiredPerSecond = Math.Round(Dropped(estimate: true) / wall, 2),
            detectedShareByCamera = DetectedShare(metrics),
            ageGenderInferencesPerSecond = Math.Round(crops / wall, 1),
            samplesPerTrackPerSecond = metrics.Gauge("faceage_sampling_rate"),
            perTrack = PerTrack(m.EndedTracks),
            tracksAtEnd = metrics.GaugeSum("faceage_tracks_active"),
            meanBatchSize = batches > 0 ? Math.Round(crops / batches, 2) : 0,
            latencySeconds = new
            {
                samples = m.Latencies.Count,
                p50 = Math.Round(m.Latencies.Percentile(0.50), 3),
                p95 = Math.Round(m.Latencies.Percentile(0.95), 3),
                p99 = Math.Round(m.Latencies.Percentile(0.99), 3),
            },
            cpuCores = CpuCores(usage, metrics, detectorFile),
            detectorMsPerRun = detectorRuns > 0 ? Math.Round(detectorSeconds / detectorRuns * 1000, 1) : 0,
            estimatorMsPerFace = crops > 0 ? Math.Round(estimatorSeconds / crops * 1000, 1) : 0,
            poseMsPerFace = crops > 0 ? Math.Round(poseSeconds / crops * 1000, 2) : 0,
            cpuPercentOfMachine = Math.Round(usage.WorkerCores / Environment.ProcessorCount * 100, 1),
            machineCpuPercent = Math.Round(usage.MachineBusyShare * 100, 1),
            peakRssMiB = Math.Round(usage.PeakRssMiB, 0),
            managedAllocationMiBPerSecond = Math.Round(usage.AllocatedMiBPerSecond, 1),
            gcPauseShare = Math.Round(usage.GcPauseShare, 4),
            resourceSamples = m.Samples.Count > 0 ? m.Samples : null,
            // Growth after the warm-up, declared before the soak runs: the median of the last third of the samples
            // over the median of the first third (a median, because the thread pool and the frames in flight make
            // single samples swing), and the least-squares trend over the whole run (start to end of the fitted
            // line), in percent.
            growthPercent = m.Samples.Count >= 10 ? ResourceSample.PerResource(m.Samples.ToList(), ResourceSample.Growth) : null,
            trendPercent = m.Samples.Count >= 10 ? ResourceSample.PerResource(m.Samples.ToList(), ResourceSample.Trend) : null,
        };
    }

    private static readonly string[] DroppedStages = ["detect", "track"];

    /// <summary>
    /// Fairness under overload: each camera's frames that reached its tracker (decoded less those dropped before or at
    /// detection), as a share of the cameras' mean; the fewest and the most.
    /// </summary>
    private static object? DetectedShare(MetricDeltas metrics)
    {
        var decoded = metrics.ByFirstLabel("faceage_frames_decoded_total");
        var dropped = metrics.ByFirstLabel("faceage_frames_dropped_total", k => k.Contains("stage=\"detect\"", StringComparison.Ordinal));
        var detected = decoded.Select(kv => kv.Value - dropped.GetValueOrDefault(kv.Key)).ToList();
        if (detected.Count == 0 || detected.Average() <= 0) return null;
        double mean = detected.Average();
        return new { min = Math.Round(detected.Min() / mean, 3), max = Math.Round(detected.Max() / mean, 3) };
    }

    private static object Settings(BenchRun run, string? settingsFile, AnalyzerOptions analysis, PipelineOptions pipeline, string detectorFile) => new
    {
        file = settingsFile is null ? null : Path.GetFullPath(settingsFile),
        streams = run.Streams,
        fps = run.Fps,
        video = Path.GetFileName(run.Video),
        detector = analysis.Detector.Kind,
        detectorFile = analysis.Detector.ModelPath is { Length: > 0 } dm ? dm : detectorFile,
        tiles = analysis.Detector.Tiles,
        detectEveryNthFrame = pipeline.DetectEveryNthFrame,
        model = analysis.AgeGenderModel,
        head = analysis.AgeGenderHead is { Length: > 0 } h ? h : null,
        flipAugmentation = analysis.FlipAugmentation,
        samplesPerSecondPerTrack = pipeline.SamplesPerSecondPerTrack,
        sampleMaxAgeMilliseconds = pipeline.SampleMaxAgeMilliseconds,
        concurrentDetections = pipeline.ConcurrentDetections,
        machineCpuTarget = pipeline.MachineCpuTarget,
        batchSize = pipeline.BatchSize,
        batchMaxWaitMilliseconds = pipeline.BatchMaxWaitMilliseconds,
    };

    /// <summary>Tracks that ended while measuring and were present at least 2 s: their sampling rate and time to a first sample.</summary>
    private static object PerTrack(IReadOnlyList<CropScheduler.TrackSampling> endedTracks)
    {
        var ended = endedTracks.Where(t => t.Present >= TimeSpan.FromSeconds(2)).ToList();
        var rates = ended.Select(t => t.Samples / t.Present.TotalSeconds).Order().ToList();
        var firstSample = ended.Where(t => t.FirstSampleAfter is not null).Select(t => t.FirstSampleAfter!.Value.TotalSeconds).Order().ToList();
        static double Quantile(List<double> sorted, double q)
            => sorted.Count == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))], 2);
        return new
        {
            tracks = ended.Count,
            withoutSample = ended.Count(t => t.Samples == 0),
            samplesPerSecondMin = Quantile(rates, 0),
            samplesPerSecondP5 = Quantile(rates, 0.05),
            samplesPerSecondMedian = Quantile(rates, 0.5),
            firstSampleSecondsMedian = Quantile(firstSample, 0.5),
            firstSampleSecondsP95 = Quantile(firstSample, 0.95),
        };
    }

    /// <summary>
    /// Where the CPU goes, in cores (CPU seconds per second): ffmpeg from its processes, the stages from their threads' CPU
    /// time, model runs from inside ONNX Runtime's Run (all of it with IntraOpThreads 1).
    /// </summary>
    private static object CpuCores(ProcessUsage usage, MetricDeltas metrics, string detectorFile)
    {
        double wall = usage.Seconds, cpu = usage.WorkerCores;
        double Stage(string stage) => metrics.Of($"faceage_stage_cpu_seconds_total{{stage=\"{stage}\"}}") / wall;
        double detectorModel = metrics.Of($"faceage_model_cpu_seconds_total{{model=\"{detectorFile}\"}}") / wall;
        // The landmark network of the head pose (Attention:Enabled), run by the estimate stage on the same crops.
        string poseFile = Landmark68Model.File;
        double poseModel = metrics.Of($"faceage_model_cpu_seconds_total{{model=\"{poseFile}\"}}") / wall;
        // Every other model run is the estimator's: the backbone, the face models a trained head reads, the head, the face check.
        double estimatorModel = metrics.Where(k => k.StartsWith("faceage_model_cpu_seconds_total{", StringComparison.Ordinal)
            && !k.Contains($"model=\"{detectorFile}\"", StringComparison.Ordinal) && !k.Contains($"model=\"{poseFile}\"", StringComparison.Ordinal)) / wall;
        double detect = Stage("detect"), estimate = Stage("estimate"), crop = Stage("crop"), track = Stage("track");
        double own = Math.Max(0, cpu - detectorModel - estimatorModel - poseModel);
        return new
        {
            ffmpegDecodeAndScale = Math.Round(usage.FfmpegCores, 3),
            detectorModel = Math.Round(detectorModel, 3),
            detectorPrepareAndDecode = Math.Round(Math.Max(0, detect - detectorModel), 3),
            estimatorModel = Math.Round(estimatorModel, 3),
            poseModel = Math.Round(poseModel, 3),
            estimatorPrepare = Math.Round(Math.Max(0, estimate - estimatorModel - poseModel), 3),
            crop = Math.Round(crop, 3),
            track = Math.Round(track, 3),
            otherWorker = Math.Round(Math.Max(0, cpu - detect - estimate - crop - track), 3),
            // Seconds per second the JIT compiled while measuring (wall time, any thread; in steady state its background
            // tier-up, which otherWorker counts): a warm-up too short for a steady-state figure shows here.
            jitCompilation = Math.Round(usage.JitCores, 3),
            worker = Math.Round(cpu, 3),
            pipelineOwnShareOfCpu = cpu + usage.FfmpegCores > 0 ? Math.Round(own / (cpu + usage.FfmpegCores), 3) : 0,
        };
    }
}

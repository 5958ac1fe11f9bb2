using FaceAge.Core.Analysis;

namespace FaceAge.Worker.Configuration;

/// <summary>Pipeline settings (section "Pipeline").</summary>
public sealed record PipelineOptions
{
    /// <summary>Run the detector on every Nth frame; the tracker predicts in between.</summary>
    public int DetectEveryNthFrame { get; init; } = 1;
    /// <summary>
    /// The detector's tiles (Analysis:Detector:Tiles, for small faces) run on every Nth detected frame; the whole frame
    /// is searched on every one. Tentative tracks are judged only on tiled frames (a face only the tiles find would otherwise never be confirmed).
    /// </summary>
    public int TilesEveryNthFrame { get; init; } = 2;
    /// <summary>
    /// A live camera whose detector fell behind (frames dropped since its last tiled frame) puts due tiles off, to every
    /// 2·TilesEveryNthFrame-th frame at most (<see cref="Detection.TileSchedule"/>); false keeps the tiles on schedule whatever is dropped.
    /// </summary>
    public bool PostponeTilesWhenBehind { get; init; } = true;
    /// <summary>
    /// Detector runs at once across all cameras (<see cref="Detection.DetectorGate"/>); 0 = one fewer than the cores, at
    /// least 1, which leaves a core to the estimate stage and ffmpeg. Unbounded runs (as many as cameras) starved the
    /// estimator under overload: latency and expired crops grew instead of frames being dropped before detection.
    /// </summary>
    public int ConcurrentDetections { get; init; }
    /// <summary>
    /// Percent of the machine's CPU (all processes, /proc/stat) above which the detector is paced
    /// (<see cref="Detection.DetectorPacing"/>); 0 = never paced. Linux only.
    /// </summary>
    public int MachineCpuTarget { get; init; } = 80;
    /// <summary>At most this many age/gender inferences per track per second (the best crop of each interval).</summary>
    public double SamplesPerSecondPerTrack { get; init; } = 2;
    /// <summary>
    /// A crop older than this (from its frame's capture) is not estimated: the track offers a fresher one. Bounds the
    /// capture → fused latency under overload, when the sampling rate falls instead (docs/benchmarks.md).
    /// </summary>
    public int SampleMaxAgeMilliseconds { get; init; } = 120;
    /// <summary>
    /// Most crops in one age/gender run, across all cameras. Every crop of a batch waits for the whole batch; 4 costs per
    /// face what 8 does on these CPUs and finishes in half the time (docs/benchmarks.md), 1 costs about 12 % more a face.
    /// </summary>
    public int BatchSize { get; init; } = 4;
    /// <summary>How long the first crop of a batch may wait for more.</summary>
    public int BatchMaxWaitMilliseconds { get; init; } = 20;
    /// <summary>Capacity of each stage's queue (frames or crops); live sources drop the oldest beyond it.</summary>
    public int QueueCapacity { get; init; } = 4;
    /// <summary>Seconds between stats messages per camera.</summary>
    public int StatsWindowSeconds { get; init; } = 60;
    /// <summary>Seconds between person updates while present (0 = only the final message).</summary>
    public int PersonUpdateSeconds { get; init; }
    /// <summary>
    /// The worker's age/gender model, in place of Analysis:AgeGenderModel: the int8 model is about 3× faster
    /// per face for +0.1 year MAE on a single photo (docs/benchmarks.md, docs/accuracy.md), and a person's
    /// estimate fuses many samples anyway.
    /// </summary>
    public string AgeGenderModel { get; init; } = "faceres-deep-int8.onnx";
    /// <summary>The worker's flip averaging, in place of Analysis:FlipAugmentation (off: fusion averages samples instead).</summary>
    public bool FlipAugmentation { get; init; }

    /// <summary>
    /// The worker's trained age/gender head (from `faceage train`), in place of Analysis:AgeGenderHead: the committed
    /// head on faceres-deep + face-api's age/gender net (about 1 ms per face more than the backbone alone;
    /// models/heads/age-gender-lite.card.md), the CLI's default too; empty = the model's own outputs.
    /// </summary>
    public string? AgeGenderHead { get; init; } = DefaultHead;
    public const string DefaultHead = "heads/age-gender-lite.onnx";

    /// <summary>The analysis options the worker runs with: the shared Analysis section with the worker's model choices.</summary>
    /// <summary>
    /// ONNX Runtime threads per model run in the worker, in place of Analysis:Inference:IntraOpThreads. 1: the cameras'
    /// detect threads and the estimate thread already run in parallel, and a second thread per run was measured to
    /// cost 26 % more CPU for the same detector time (docs/benchmarks.md). 0 lets ONNX Runtime choose.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    public AnalyzerOptions ApplyTo(AnalyzerOptions analysis)
        => analysis with
        {
            AgeGenderModel = AgeGenderModel, FlipAugmentation = FlipAugmentation, AgeGenderHead = AgeGenderHead,
            Inference = analysis.Inference with { IntraOpThreads = IntraOpThreads },
        };

    public IEnumerable<string> Validate(string prefix = "Pipeline")
    {
        if (DetectEveryNthFrame is < 1 or > 100) yield return $"{prefix}:DetectEveryNthFrame must be 1–100, got {DetectEveryNthFrame}.";
        if (TilesEveryNthFrame is < 1 or > 100) yield return $"{prefix}:TilesEveryNthFrame must be 1–100, got {TilesEveryNthFrame}.";
        if (ConcurrentDetections is < 0 or > 64)
            yield return $"{prefix}:ConcurrentDetections must be 0–64 (0: the cores less one), got {ConcurrentDetections}.";
        if (MachineCpuTarget != 0 && MachineCpuTarget is < 30 or > 100)
            yield return $"{prefix}:MachineCpuTarget must be 30–100 percent, or 0 for no pacing, got {MachineCpuTarget}.";
        if (SamplesPerSecondPerTrack is <= 0 or > 30) yield return $"{prefix}:SamplesPerSecondPerTrack must be in (0, 30], got {SamplesPerSecondPerTrack}.";
        if (SampleMaxAgeMilliseconds is < 20 or > 10_000) yield return $"{prefix}:SampleMaxAgeMilliseconds must be 20–10000, got {SampleMaxAgeMilliseconds}.";
        if (IntraOpThreads is < 0 or > 64) yield return $"{prefix}:IntraOpThreads must be 0–64, got {IntraOpThreads}.";
        if (BatchSize is < 1 or > 64) yield return $"{prefix}:BatchSize must be 1–64, got {BatchSize}.";
        if (BatchMaxWaitMilliseconds is < 0 or > 5000) yield return $"{prefix}:BatchMaxWaitMilliseconds must be 0–5000, got {BatchMaxWaitMilliseconds}.";
        if (QueueCapacity is < 1 or > 1000) yield return $"{prefix}:QueueCapacity must be 1–1000, got {QueueCapacity}.";
        if (StatsWindowSeconds is < 1 or > 86400) yield return $"{prefix}:StatsWindowSeconds must be 1–86400, got {StatsWindowSeconds}.";
        if (PersonUpdateSeconds < 0) yield return $"{prefix}:PersonUpdateSeconds must be ≥ 0, got {PersonUpdateSeconds}.";
        if (string.IsNullOrWhiteSpace(AgeGenderModel)) yield return $"{prefix}:AgeGenderModel must name an ONNX file.";
        if (AgeGenderHead is { Length: > 0 } head && !head.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:AgeGenderHead must name an ONNX file (or be empty for the model's own outputs), got '{head}'.";
    }
}

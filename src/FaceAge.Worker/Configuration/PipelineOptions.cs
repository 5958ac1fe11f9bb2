using FaceAge.Core.Analysis;

namespace FaceAge.Worker.Configuration;

/// <summary>Pipeline settings (section "Pipeline").</summary>
public sealed record PipelineOptions
{
    /// <summary>Run the detector on every Nth frame; the tracker predicts in between.</summary>
    public int DetectEveryNthFrame { get; init; } = 1;
    /// <summary>At most this many age/gender inferences per track per second (the best crop of each interval).</summary>
    public double SamplesPerSecondPerTrack { get; init; } = 2;
    /// <summary>Most crops in one age/gender run, across all cameras.</summary>
    public int BatchSize { get; init; } = 8;
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
    /// The worker's trained age/gender head (from `faceage train`, e.g. "heads/utkface-dev.onnx"), in place of
    /// Analysis:AgeGenderHead; null = the model's own outputs.
    /// </summary>
    public string? AgeGenderHead { get; init; }

    /// <summary>The analysis options the worker runs with: the shared Analysis section with the worker's model choices.</summary>
    public AnalyzerOptions ApplyTo(AnalyzerOptions analysis)
        => analysis with { AgeGenderModel = AgeGenderModel, FlipAugmentation = FlipAugmentation, AgeGenderHead = AgeGenderHead };

    public IEnumerable<string> Validate(string prefix = "Pipeline")
    {
        if (DetectEveryNthFrame is < 1 or > 100) yield return $"{prefix}:DetectEveryNthFrame must be 1–100, got {DetectEveryNthFrame}.";
        if (SamplesPerSecondPerTrack is <= 0 or > 30) yield return $"{prefix}:SamplesPerSecondPerTrack must be in (0, 30], got {SamplesPerSecondPerTrack}.";
        if (BatchSize is < 1 or > 64) yield return $"{prefix}:BatchSize must be 1–64, got {BatchSize}.";
        if (BatchMaxWaitMilliseconds is < 0 or > 5000) yield return $"{prefix}:BatchMaxWaitMilliseconds must be 0–5000, got {BatchMaxWaitMilliseconds}.";
        if (QueueCapacity is < 1 or > 1000) yield return $"{prefix}:QueueCapacity must be 1–1000, got {QueueCapacity}.";
        if (StatsWindowSeconds is < 1 or > 86400) yield return $"{prefix}:StatsWindowSeconds must be 1–86400, got {StatsWindowSeconds}.";
        if (PersonUpdateSeconds < 0) yield return $"{prefix}:PersonUpdateSeconds must be ≥ 0, got {PersonUpdateSeconds}.";
        if (string.IsNullOrWhiteSpace(AgeGenderModel)) yield return $"{prefix}:AgeGenderModel must name an ONNX file.";
        if (AgeGenderHead is { } head && !head.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:AgeGenderHead must name an ONNX file (or be left out), got '{head}'.";
    }
}

/// <summary>Stream supervision (section "Watchdog").</summary>
public sealed record WatchdogOptions
{
    /// <summary>No frame for this long: the stream is frozen or gone, and the reader restarts.</summary>
    public double StallSeconds { get; init; } = 5;
    /// <summary>Measured rate below this fraction of the expected rate over a 10 s window: restart.</summary>
    public double MinRateFraction { get; init; } = 0.2;
    public double BackoffInitialSeconds { get; init; } = 1;
    public double BackoffMaxSeconds { get; init; } = 30;
    /// <summary>Seconds to wait for a source to answer ffprobe.</summary>
    public double ProbeTimeoutSeconds { get; init; } = 10;

    public IEnumerable<string> Validate(string prefix = "Watchdog")
    {
        if (StallSeconds is < 0.5 or > 600) yield return $"{prefix}:StallSeconds must be 0.5–600, got {StallSeconds}.";
        if (MinRateFraction is < 0 or >= 1) yield return $"{prefix}:MinRateFraction must be in [0, 1), got {MinRateFraction}.";
        if (BackoffInitialSeconds <= 0 || BackoffMaxSeconds < BackoffInitialSeconds) yield return $"{prefix}:BackoffInitialSeconds must be > 0 and ≤ BackoffMaxSeconds.";
        if (ProbeTimeoutSeconds is < 1 or > 120) yield return $"{prefix}:ProbeTimeoutSeconds must be 1–120, got {ProbeTimeoutSeconds}.";
    }
}

public enum BrokerMode { Embedded, External }

/// <summary>MQTT settings (section "Mqtt"). Username/Password may come from FACEAGE_Mqtt__Username / __Password.</summary>
public sealed record MqttOptions
{
    public BrokerMode Mode { get; init; } = BrokerMode.Embedded;
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;
    /// <summary>Embedded broker only: address it listens on.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";
    public bool UseTls { get; init; }
    /// <summary>PEM file with the CA certificate(s) that signed the broker's certificate; empty: the system's trusted roots.</summary>
    public string? CaCertificatePath { get; init; }
    /// <summary>PEM client certificate and its private key, for brokers that require one.</summary>
    public string? ClientCertificatePath { get; init; }
    public string? ClientKeyPath { get; init; }
    public string? Username { get; init; }
    /// <summary>Best given as FACEAGE_Mqtt__Password, or as a file (PasswordFile) such as a Docker/Kubernetes secret; never logged.</summary>
    public string? Password { get; init; }
    /// <summary>File whose first line is the password (used when Password is empty).</summary>
    public string? PasswordFile { get; init; }
    public string ClientId { get; init; } = "faceage-worker";
    public string TopicPrefix { get; init; } = "faceage";
    /// <summary>0 = at most once, 1 = at least once (default), 2 = exactly once.</summary>
    public int QualityOfService { get; init; } = 1;

    public IEnumerable<string> Validate(string prefix = "Mqtt")
    {
        if (Port is < 1 or > 65535) yield return $"{prefix}:Port must be 1–65535, got {Port}.";
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{prefix}:Host must be set.";
        if (!System.Net.IPAddress.TryParse(BindAddress, out _)) yield return $"{prefix}:BindAddress '{BindAddress}' is not an IP address.";
        if (string.IsNullOrWhiteSpace(TopicPrefix) || TopicPrefix.Contains('#') || TopicPrefix.Contains('+')) yield return $"{prefix}:TopicPrefix must be set and hold no wildcards.";
        if (QualityOfService is < 0 or > 2) yield return $"{prefix}:QualityOfService must be 0, 1 or 2, got {QualityOfService}.";
        if (Mode == BrokerMode.Embedded && UseTls) yield return $"{prefix}:UseTls needs Mode External (the embedded broker serves plain TCP on {BindAddress}).";
        foreach (var (key, path) in new[] { ("CaCertificatePath", CaCertificatePath), ("ClientCertificatePath", ClientCertificatePath), ("ClientKeyPath", ClientKeyPath), ("PasswordFile", PasswordFile) })
            if (!string.IsNullOrEmpty(path) && !File.Exists(path)) yield return $"{prefix}:{key} '{path}' does not exist.";
        if (!UseTls && (!string.IsNullOrEmpty(CaCertificatePath) || !string.IsNullOrEmpty(ClientCertificatePath)))
            yield return $"{prefix}:CaCertificatePath and ClientCertificatePath need UseTls true.";
        if (string.IsNullOrEmpty(ClientCertificatePath) != string.IsNullOrEmpty(ClientKeyPath))
            yield return $"{prefix}:ClientCertificatePath and ClientKeyPath go together.";
    }

    /// <summary>The password: Password, else the first line of PasswordFile, else none.</summary>
    public string? EffectivePassword()
    {
        if (!string.IsNullOrEmpty(Password)) return Password;
        if (string.IsNullOrEmpty(PasswordFile)) return null;
        return File.ReadLines(PasswordFile).FirstOrDefault()?.TrimEnd('\r');
    }
}

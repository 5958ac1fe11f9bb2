namespace FaceAge.Worker.Configuration;

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
        if (BackoffInitialSeconds <= 0 || BackoffMaxSeconds < BackoffInitialSeconds) yield return $"{prefix}:BackoffInitialSeconds must be > 0 and ≤ "
            + "BackoffMaxSeconds.";
        if (ProbeTimeoutSeconds is < 1 or > 120) yield return $"{prefix}:ProbeTimeoutSeconds must be 1–120, got {ProbeTimeoutSeconds}.";
    }
}

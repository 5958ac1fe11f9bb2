namespace FaceAge.Core.Tracking;

/// <summary>ByteTrack-style tracker settings (section "Tracking").</summary>
public sealed record TrackerOptions
{
    /// <summary>Detections at or above this score are matched first and may start tracks.</summary>
    public float HighScore { get; init; } = 0.7f;
    /// <summary>Detections between this and HighScore only keep existing tracks alive (second pass).</summary>
    public float LowScore { get; init; } = 0.4f;
    /// <summary>Minimum IoU between a predicted track box and a detection to match them.</summary>
    public float MatchIou { get; init; } = 0.2f;
    /// <summary>
    /// A detection that overlaps no predicted box (IoU below MatchIou) still continues a track whose predicted centre is
    /// within this many box sizes and whose size is within 1.5× of it: a small face moving fast, or found only on tiled
    /// frames, moves more than its own size between detections before the track has learnt its speed. Only tracks seen
    /// within the last half second are continued this way (<see cref="FaceTracker.DistanceMatchMaxGap"/>).
    /// </summary>
    public float MatchDistance { get; init; } = 1.5f;
    /// <summary>Matched detections needed before a track counts as a person (filters one-frame false positives).</summary>
    public int ConfirmHits { get; init; } = 3;
    /// <summary>A track unmatched this long ends.</summary>
    public TimeSpan MaxLostTime { get; init; } = TimeSpan.FromSeconds(1.5);

    public IEnumerable<string> Validate(string prefix = "Tracking")
    {
        if (HighScore is <= 0 or > 1) yield return $"{prefix}:HighScore must be in (0, 1], got {HighScore}.";
        if (LowScore <= 0 || LowScore > HighScore) yield return $"{prefix}:LowScore must be in (0, HighScore], got {LowScore}.";
        if (MatchIou is <= 0 or >= 1) yield return $"{prefix}:MatchIou must be in (0, 1), got {MatchIou}.";
        if (MatchDistance is < 0 or > 10) yield return $"{prefix}:MatchDistance must be 0–10 box sizes, got {MatchDistance}.";
        if (ConfirmHits < 1) yield return $"{prefix}:ConfirmHits must be ≥ 1, got {ConfirmHits}.";
        if (MaxLostTime <= TimeSpan.Zero) yield return $"{prefix}:MaxLostTime must be positive, got {MaxLostTime}.";
    }
}

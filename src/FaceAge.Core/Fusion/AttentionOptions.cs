using FaceAge.Core.Alignment;
using FaceAge.Core.Estimation;

namespace FaceAge.Core.Fusion;

/// <summary>
/// Who looked (section "Attention"): a sample looks at the screen when its head pose lies within <see cref="MaxYaw"/> and
/// <see cref="MaxPitch"/> of the screen's direction (straight into the camera unless a camera says otherwise); a person
/// whose looking time reaches <see cref="MinSeconds"/> is a viewer. Pose comes from fr-landmark68's points
/// (<see cref="LandmarkPose"/>) on every age/gender sample; the turn check (Analysis:TurnCheck) vetoes the profiles whose
/// landmarks go wrong.
/// </summary>
public sealed record AttentionOptions
{
    /// <summary>Pose every sample and publish attention; off: no landmark run, no attention fields.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Largest |yaw| (degrees, from the screen's direction) of a face that looks at the screen.</summary>
    public double MaxYaw { get; init; } = 30;

    /// <summary>Largest |pitch| (degrees, from the screen's direction) of a face that looks at the screen.</summary>
    public double MaxPitch { get; init; } = 25;

    /// <summary>Looking time that makes a person a viewer.</summary>
    public double MinSeconds { get; init; } = 1;

    public IEnumerable<string> Validate(string prefix = "Attention")
    {
        if (MaxYaw is <= 0 or > 90) yield return $"{prefix}:MaxYaw must be in (0, 90] degrees, got {MaxYaw}.";
        if (MaxPitch is <= 0 or > 90) yield return $"{prefix}:MaxPitch must be in (0, 90] degrees, got {MaxPitch}.";
        if (MinSeconds < 0) yield return $"{prefix}:MinSeconds must be ≥ 0, got {MinSeconds}.";
    }

    /// <summary>
    /// The rule for a camera that sees the screen at <paramref name="screenYaw"/>, <paramref name="screenPitch"/> (0, 0:
    /// the camera is on the screen).
    /// </summary>
    public AttentionRule RuleFor(double screenYaw = 0, double screenPitch = 0) => new(MaxYaw, MaxPitch, MinSeconds, screenYaw, screenPitch);
}

/// <summary>
/// One camera's looking rule: a face looks at the screen when its yaw and pitch are within <paramref name="MaxYaw"/> and
/// <paramref name="MaxPitch"/> of the pose a face turned to the screen has on that camera (<paramref name="ScreenYaw"/>,
/// <paramref name="ScreenPitch"/>, <see cref="HeadPose"/>'s signs: a screen to the image's right of the camera has a positive yaw).
/// A face the turn check calls turned away (P ≥ 0.5) does not look, as long as every
/// looking direction lies within the check's <see cref="BackboneCheck.TurnedDegrees"/> of the camera; with a screen further to the
/// side the check says nothing about the screen, and the pose alone decides.
/// </summary>
public sealed record AttentionRule(double MaxYaw, double MaxPitch, double MinSeconds, double ScreenYaw = 0, double ScreenPitch = 0)
{
    /// <summary>Whether the turn check's verdict counts for this camera's screen.</summary>
    public bool UsesTurnCheck => Math.Abs(ScreenYaw) + MaxYaw <= BackboneCheck.TurnedDegrees;

    public bool Looks(HeadPose pose, float? turnedAway = null)
        => Math.Abs(pose.Yaw - ScreenYaw) <= MaxYaw && Math.Abs(pose.Pitch - ScreenPitch) <= MaxPitch && !(UsesTurnCheck && turnedAway >= 0.5f);
}

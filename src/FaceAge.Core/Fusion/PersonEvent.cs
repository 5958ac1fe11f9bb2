namespace FaceAge.Core.Fusion;

/// <summary>
/// What is published about one person after they left: anonymous numbers only. The id is random per
/// person, never derived from the face.
/// </summary>
/// <param name="AttentionSeconds">Time the person's face was turned to the screen (<see cref="AttentionTime"/>); null when not measured.</param>
/// <param name="Viewer">Whether that time reached Attention:MinSeconds; null when not measured.</param>
/// <param name="LongestLookSeconds">The longest continuous look; null when not measured.</param>
public sealed record PersonEvent(
    string PersonId, string CameraId, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, double DwellSeconds,
    double Age, double AgeUncertainty, string AgeGroup, string Gender, double GenderProbability,
    int Samples, double MeanFaceSize,
    double? AttentionSeconds = null, bool? Viewer = null, double? LongestLookSeconds = null);

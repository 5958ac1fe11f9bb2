namespace FaceAge.Core.Fusion;

/// <summary>
/// What is published about one person after they left: anonymous numbers only. The id is random per
/// person, never derived from the face.
/// </summary>
public sealed record PersonEvent(
    string PersonId, string CameraId, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, double DwellSeconds,
    double Age, double AgeUncertainty, string AgeGroup, string Gender, double GenderProbability,
    int Samples, double MeanFaceSize);

using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;

namespace FaceAge.Core.Analysis;

public enum Gender { Female, Male }

/// <summary>
/// Everything FaceAge reports about one face. FaceScore is the face check's P(face) (null without a check);
/// LikelyFace is false when it is below Analysis:FaceCheckThreshold. <see cref="Attributes"/> (with the descriptor) is for
/// in-memory use only and is never serialized by FaceAge.
/// </summary>
public sealed record FaceResult(
    FaceDetection Detection,
    double Age,
    double AgeUncertainty,
    string AgeGroup,
    Gender Gender,
    double GenderProbability,
    int FaceSize,
    double Sharpness,
    double Quality,
    FaceAttributes Attributes,
    double? FaceScore = null,
    bool LikelyFace = true)
{
    /// <summary>"F 27 ±4" style label.</summary>
    public string Label => $"{(Gender == Gender.Female ? "F" : "M")} {Age:0} ±{AgeUncertainty:0}";
}

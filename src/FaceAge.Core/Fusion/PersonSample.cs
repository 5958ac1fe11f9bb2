using FaceAge.Core.Alignment;

namespace FaceAge.Core.Fusion;

/// <summary>One age/gender estimate of a tracked face, with the weight it deserves.</summary>
/// <param name="FaceScore">The face check's P(face) of the crop; null without a face check (then every sample counts as a face).</param>
/// <param name="AgeUncertainty">The sample's calibrated ± (<see cref="FaceAge.Core.Estimation.FaceAttributes.AgeUncertainty"/>);
/// null = its distribution's standard deviation.</param>
/// <param name="Identity">A face-recognition embedding of the crop (Fusion:Embedding), on the samples re-entry needs; null on the others.</param>
/// <param name="Pose">Where the head was turned (Attention:Enabled); null when not measured.</param>
/// <param name="TurnedAway">The turn check's P(head turned away) of the crop (Attention:Enabled); null without one.</param>
public sealed record PersonSample(float[] AgeProbabilities, int FirstAge, float MaleProbability, double Quality, int FaceSize, float[] Descriptor,
    DateTimeOffset Time,
    float? FaceScore = null, double? AgeUncertainty = null, float[]? Identity = null, HeadPose? Pose = null,
    float? TurnedAway = null);

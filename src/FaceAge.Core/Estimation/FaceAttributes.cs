namespace FaceAge.Core.Estimation;

/// <summary>What the age/gender model says about one face crop. The descriptor never leaves memory.</summary>
/// <param name="FaceScore">P(face) from the face check (mean over the views), null without one.</param>
public sealed record FaceAttributes(AgeDistribution Age, float MaleProbability, float[] Descriptor, float? FaceScore = null);

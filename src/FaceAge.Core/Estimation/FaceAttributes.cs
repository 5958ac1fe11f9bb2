namespace FaceAge.Core.Estimation;

/// <summary>What the age/gender model says about one face crop. The descriptor never leaves memory.</summary>
public sealed record FaceAttributes(AgeDistribution Age, float MaleProbability, float[] Descriptor);

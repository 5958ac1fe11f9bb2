namespace FaceAge.Core.Fusion;

/// <summary>One age/gender estimate of a tracked face, with the weight it deserves.</summary>
public sealed record PersonSample(float[] AgeProbabilities, int FirstAge, float MaleProbability, double Quality, int FaceSize, float[] Descriptor, DateTimeOffset Time);

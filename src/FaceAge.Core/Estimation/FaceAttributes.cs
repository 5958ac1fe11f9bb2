namespace FaceAge.Core.Estimation;

/// <summary>What the age/gender model says about one face crop. The descriptor never leaves memory.</summary>
/// <param name="FaceScore">P(face) from the face check (mean over the views), null without one.</param>
public sealed record FaceAttributes(AgeDistribution Age, float MaleProbability, float[] Descriptor, float? FaceScore = null)
{
    /// <summary>
    /// The stated ± of the age: the true age lies within <see cref="AgeDistribution.Mean"/> ± this for
    /// <see cref="Estimation.AgeUncertainty.ClaimedCoverage"/> of faces (calibrated; the raw standard deviation where no calibration is known).
    /// </summary>
    public double AgeUncertainty { get; init; } = Age.StandardDeviation;

    /// <summary>P(the head is turned away from the camera) from the turn check (mean over the views); null without one.</summary>
    public float? TurnedAway { get; init; }
}

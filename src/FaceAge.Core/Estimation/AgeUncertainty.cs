namespace FaceAge.Core.Estimation;

/// <summary>
/// What the ± of an age means: the true age lies within age ± uncertainty for <see cref="ClaimedCoverage"/> of faces
/// (`faceage eval` prints the coverage measured per data set).
/// </summary>
public static class AgeUncertainty
{
    public const double ClaimedCoverage = 0.68;
}

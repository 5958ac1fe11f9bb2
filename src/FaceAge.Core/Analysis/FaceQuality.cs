namespace FaceAge.Core.Analysis;

/// <summary>
/// Quality in [0, 1] from face size and sharpness: the geometric mean of a size score (1 at
/// <c>goodSize</c> pixels and above) and a sharpness score (1 at a Laplacian variance of 100 and above
/// on the 224 px crop), so a face that is tiny or blurred scores low whatever the other term.
/// </summary>
public static class FaceQuality
{
    public const double SharpCropLaplacianVariance = 100;

    public static double Score(int faceSize, double laplacianVariance, int goodSize)
    {
        double size = Math.Clamp((double)faceSize / goodSize, 0, 1);
        double sharp = Math.Clamp(laplacianVariance / SharpCropLaplacianVariance, 0, 1);
        return Math.Sqrt(size * sharp);
    }
}

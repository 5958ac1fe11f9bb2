using OpenCvSharp;

namespace FaceAge.Core.Imaging;

/// <summary>Focus measure: variance of the Laplacian of the grey image (higher = sharper).</summary>
public static class Sharpness
{
    public static double LaplacianVariance(Mat bgr)
    {
        using var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        using var laplacian = new Mat();
        Cv2.Laplacian(grey, laplacian, MatType.CV_64F);
        Cv2.MeanStdDev(laplacian, out _, out var std);
        return std.Val0 * std.Val0;
    }
}

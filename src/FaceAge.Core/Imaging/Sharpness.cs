using OpenCvSharp;

namespace FaceAge.Core.Imaging;

/// <summary>Focus measure: variance of the Laplacian of the grey image (higher = sharper).</summary>
public static class Sharpness
{
    // Per-thread scratch: this runs for every crop of every track on every frame.
    [ThreadStatic] private static Mat? _grey;
    [ThreadStatic] private static Mat? _laplacian;

    public static double LaplacianVariance(Mat bgr)
    {
        var grey = _grey ??= new Mat();
        var laplacian = _laplacian ??= new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        // The 3×3 Laplacian of 8-bit pixels lies within ±1020, so 16-bit holds it exactly; OpenCV vectorises that
        // path, and not the 64-bit float one.
        Cv2.Laplacian(grey, laplacian, MatType.CV_16S);
        Cv2.MeanStdDev(laplacian, out _, out var std);
        return std.Val0 * std.Val0;
    }
}

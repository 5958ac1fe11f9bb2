using FaceAge.Core.Imaging;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Imaging;

public class SharpnessTests
{
    /// <summary>The definition: variance of the 3×3 Laplacian of the grey image, in 64-bit floats.</summary>
    private static double Reference(Mat bgr)
    {
        using var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        using var laplacian = new Mat();
        Cv2.Laplacian(grey, laplacian, MatType.CV_64F);
        Cv2.MeanStdDev(laplacian, out _, out var std);
        return std.Val0 * std.Val0;
    }

    [Fact]
    public void The_variance_is_the_definitions_on_a_real_face_photo()
    {
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample1.jpg"));
        double expected = Reference(photo);
        Assert.True(expected > 10, $"the photo should have texture (variance {expected})");
        Assert.Equal(expected, Sharpness.LaplacianVariance(photo), 9);
    }

    [Fact]
    public void The_largest_laplacians_of_8_bit_pixels_are_not_clipped()
    {
        // A single white pixel on black, and a black one on white: Laplacians of −1020 and +1020 at their centres.
        using var image = new Mat(64, 64, MatType.CV_8UC3, Scalar.Black);
        image.Set(10, 10, new Vec3b(255, 255, 255));
        using (var white = new Mat(image, new Rect(32, 0, 32, 64))) white.SetTo(Scalar.White);
        image.Set(40, 48, new Vec3b(0, 0, 0));
        Assert.Equal(Reference(image), Sharpness.LaplacianVariance(image), 9);
        using var flat = new Mat(16, 16, MatType.CV_8UC3, new Scalar(90, 90, 90));
        Assert.Equal(0, Sharpness.LaplacianVariance(flat));
    }
}

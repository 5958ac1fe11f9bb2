using FaceAge.Core.Imaging;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Imaging;

public class I420ImageTests
{
    /// <summary>A sample photo as a camera frame: cut to <paramref name="width"/> × <paramref name="height"/> and turned into I420.</summary>
    private static I420Image CameraFrame(int width, int height, MatPool? yuvPool = null, MatPool? bgrPool = null)
    {
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        using var cut = new Mat(photo, new Rect(0, 0, width, height));
        return I420Image.FromBgr(cut, yuvPool, bgrPool);
    }

    private static void AssertSamePixels(Mat expected, Mat actual)
    {
        Assert.Equal(expected.Size(), actual.Size());
        using var diff = new Mat();
        Cv2.Absdiff(expected, actual, diff);
        Assert.Equal(0, Cv2.CountNonZero(diff.Reshape(1)));
    }

    [Theory]
    [InlineData(0, 0, 64, 48)]       // even origin and size
    [InlineData(131, 77, 95, 61)]    // odd origin and size: widened to the 2×2 chroma blocks inside
    [InlineData(900, 500, 380, 220)] // against the bottom-right corner
    public void A_region_is_that_part_of_the_whole_frames_conversion(int x, int y, int width, int height)
    {
        var rect = new Rect(x, y, width, height);
        using var frame = CameraFrame(1280, 720);
        using var expected = CameraFrame(1280, 720);
        using var whole = new Mat(expected.Bgr, rect);
        using (var region = frame.Region(rect)) // before the frame is converted whole: from the planes
            AssertSamePixels(whole, region);
        _ = frame.Bgr;
        using (var again = frame.Region(rect)) // after: cut from the converted frame
            AssertSamePixels(whole, again);
    }

    [Fact]
    public void A_region_outside_the_frame_is_refused()
    {
        using var frame = CameraFrame(640, 480);
        Assert.Throws<ArgumentOutOfRangeException>(() => frame.Region(new Rect(600, 400, 64, 64)));
    }

    [Fact]
    public void The_halving_has_the_brightness_of_a_halving_of_the_converted_frame_and_nearly_its_colour()
    {
        using var frame = CameraFrame(1280, 720);
        using var fromPlanes = new Mat();
        frame.HalveInto(fromPlanes);
        using var fromBgr = new Mat();
        new BgrImage(frame.Bgr).HalveInto(fromBgr);
        Assert.Equal(new Size(640, 360), fromPlanes.Size());
        using var greyPlanes = new Mat();
        using var greyBgr = new Mat();
        Cv2.CvtColor(fromPlanes, greyPlanes, ColorConversionCodes.BGR2GRAY);
        Cv2.CvtColor(fromBgr, greyBgr, ColorConversionCodes.BGR2GRAY);
        using var greyDiff = new Mat();
        Cv2.Absdiff(greyPlanes, greyBgr, greyDiff);
        double greyMean = Cv2.Mean(greyDiff).Val0;
        using var diff = new Mat();
        Cv2.Absdiff(fromPlanes, fromBgr, diff);
        var colourMean = Cv2.Mean(diff);
        Assert.True(greyMean < 0.6, $"brightness differs by {greyMean:0.00} levels on average"); // measured 0.25
        Assert.True(Math.Max(colourMean.Val0, Math.Max(colourMean.Val1, colourMean.Val2)) < 1.5,
            $"colour differs by {colourMean} on average"); // measured 0.84 / 0.42 / 0.78
    }

    [Fact]
    public void Sizes_that_do_not_halve_into_I420_are_halved_from_BGR()
    {
        using var frame = CameraFrame(642, 482); // halves to 321 × 241: odd, not an I420 frame
        using var half = new Mat();
        frame.HalveInto(half);
        using var expected = new Mat();
        Cv2.Resize(frame.Bgr, expected, new Size(321, 241), 0, 0, InterpolationFlags.Area);
        AssertSamePixels(expected, half);
    }

    [Fact]
    public void Disposing_gives_both_buffers_back_to_their_pools()
    {
        using var yuvPool = new MatPool(720 * 3 / 2, 1280, MatType.CV_8UC1, 2);
        using var bgrPool = new MatPool(720, 1280, MatType.CV_8UC3, 2);
        var frame = CameraFrame(1280, 720, yuvPool, bgrPool);
        var yuv = frame.Yuv;
        var bgr = frame.Bgr;
        frame.Dispose();
        Assert.Same(yuv, yuvPool.Rent());
        Assert.Same(bgr, bgrPool.Rent());
    }

    [Fact]
    public void Odd_sizes_and_wrong_buffers_are_refused()
    {
        using var yuv = new Mat(72 * 3 / 2, 64, MatType.CV_8UC1);
        Assert.Throws<ArgumentException>(() => new I420Image(yuv, 63, 72));
        Assert.Throws<ArgumentException>(() => new I420Image(yuv, 64, 70));
    }
}

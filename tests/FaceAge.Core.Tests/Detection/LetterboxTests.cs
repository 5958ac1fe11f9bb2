using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Detection;

public class LetterboxTests
{
    /// <summary>A sample photo cut to even width and height, as camera frames are (a 2× halving of it is exact).</summary>
    private static Mat Photo()
    {
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        return new Mat(photo, new Rect(0, 0, photo.Width & ~1, photo.Height & ~1)).Clone();
    }

    private static Mat Halved(Mat image)
    {
        var half = new Mat();
        Cv2.Resize(image, half, new Size(image.Width / 2, image.Height / 2), 0, 0, InterpolationFlags.Area);
        return half;
    }

    private static void AssertSamePixels(Mat expected, Mat actual)
    {
        using var diff = new Mat();
        Cv2.Absdiff(expected, actual, diff);
        Assert.Equal(0, Cv2.CountNonZero(diff.Reshape(1)));
    }

    /// <summary>The network input made with <paramref name="half"/> given is the one the letterbox makes on its own.</summary>
    private static void AssertSameInputWithHalving(Mat image, Mat half, int width, int height)
    {
        var box = Letterbox.Fit(image.Width, image.Height, width, height);
        Assert.True(box.Scale <= 0.5, $"the image must shrink by 2 or more for this check (scale {box.Scale})");
        using var own = box.Apply(image);
        using var given = new Mat(height, width, MatType.CV_8UC3, Scalar.White);
        box.ApplyInto(DetectorImage.Of(image, half), given);
        AssertSamePixels(own, given);
    }

    [Fact]
    public void A_halving_made_by_the_caller_gives_the_same_network_input_as_one_made_inside()
    {
        using var photo = Photo();
        using var half = Halved(photo);
        AssertSameInputWithHalving(photo, half, 320, 240);
    }

    [Fact]
    public void The_part_of_a_frames_halving_under_a_tile_on_even_pixels_is_that_tiles_halving()
    {
        using var photo = Photo();
        using var half = Halved(photo);
        var rect = new Rect(132, 58, photo.Width / 2 + 6, photo.Height / 2 + 10); // even origin and size
        using var tile = new Mat(photo, rect);
        using var tileHalf = new Mat(half, new Rect(rect.X / 2, rect.Y / 2, rect.Width / 2, rect.Height / 2));
        AssertSameInputWithHalving(tile, tileHalf, 128, 128);
    }

    [Fact]
    public void A_halving_of_the_wrong_size_is_refused()
    {
        using var photo = Photo();
        using var wrong = new Mat(photo.Height / 3, photo.Width / 3, MatType.CV_8UC3);
        var box = Letterbox.Fit(photo.Width, photo.Height, 320, 240);
        using var canvas = new Mat(240, 320, MatType.CV_8UC3);
        Assert.Throws<ArgumentException>(() => box.ApplyInto(DetectorImage.Of(photo, wrong), canvas));
    }
}

using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Analysis;

public class FaceCropperTests
{
    private const int Size = 224;

    /// <summary>The definition: the whole BGR frame warped (rotated about the face centre, scaled, centred), edges repeated.</summary>
    private static Mat Reference(Mat bgr, FaceCropper cropper, FaceDetection face)
    {
        var (cx, cy, side, angle) = cropper.Locate(face);
        using var m = Cv2.GetRotationMatrix2D(new Point2f(cx, cy), angle, Size / side);
        m.Set(0, 2, m.At<double>(0, 2) + Size / 2.0 - cx);
        m.Set(1, 2, m.At<double>(1, 2) + Size / 2.0 - cy);
        var crop = new Mat();
        Cv2.WarpAffine(bgr, crop, m, new OpenCvSharp.Size(Size, Size), InterpolationFlags.Linear, BorderTypes.Replicate);
        return crop;
    }

    private static I420Image CameraFrame()
    {
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        using var cut = new Mat(photo, new Rect(0, 0, 1280, 720));
        return I420Image.FromBgr(cut);
    }

    public static TheoryData<float, float, float, float> Faces => new()
    {
        { 400.5f, 210.25f, 90.75f, 110.5f },  // inside the frame
        { -20f, 650f, 80f, 90f },             // its square leaves the frame at the left and bottom
        { 1190.3f, 3.7f, 100f, 70f },         // at the top-right corner
    };

    [Theory]
    [MemberData(nameof(Faces))]
    public void A_crop_from_the_part_around_the_face_is_the_crop_from_the_whole_frame(float x, float y, float width, float height)
    {
        using var frame = CameraFrame();
        var cropper = new FaceCropper(0.25f);
        var upright = new FaceDetection(new BoxF(x, y, width, height), 0.9f);
        // Eyes on a tilted line: the crop is rotated, so the part it reads is the rotated square's bounding box.
        var tilted = upright with { Landmarks = new FaceLandmarks(new PointF(x + 0.3f * width, y + 0.45f * height),
            new PointF(x + 0.7f * width, y + 0.3f * height), new PointF(x + 0.5f * width, y + 0.6f * height)) };
        // An upright square inside the frame is resized instead (next test); leaving the frame, it is warped too.
        var square = cropper.Locate(upright);
        bool uprightWarped = FaceCropper.UprightSquare(square.CenterX, square.CenterY, square.Side, frame.Width, frame.Height) is null;
        foreach (var face in uprightWarped ? new[] { upright, tilted } : [tilted])
        {
            using var fromPart = cropper.Crop(frame, face, Size); // before the whole frame is converted
            using var expected = Reference(frame.Bgr, cropper, face);
            using var diff = new Mat();
            Cv2.Absdiff(expected, fromPart, diff);
            // Equal up to the rounding of the warp's matrix, which is expressed from another origin (measured: identical).
            Cv2.MinMaxLoc(diff.Reshape(1), out _, out double worst);
            int differing = Cv2.CountNonZero(diff.Reshape(1));
            Assert.True(worst <= 1 && differing <= Size * Size * 3 / 1000,
                $"{differing} values differ, by up to {worst} (face {face.Box}, landmarks {face.Landmarks is not null})");
        }
    }

    [Fact]
    public void An_upright_face_inside_the_frame_is_resized_to_the_same_crop_within_half_a_source_pixel()
    {
        using var frame = CameraFrame();
        var cropper = new FaceCropper(0.25f);
        var face = new FaceDetection(new BoxF(400.5f, 210.25f, 90.75f, 110.5f), 0.9f);
        var (cx, cy, side, _) = cropper.Locate(face);
        Assert.NotNull(FaceCropper.UprightSquare(cx, cy, side, frame.Width, frame.Height));

        using var resized = cropper.Crop(frame, face, Size);
        using var warped = Reference(frame.Bgr, cropper, face);
        Assert.Equal(new OpenCvSharp.Size(Size, Size), resized.Size());
        // Where the content sits: rounding the square's corner to a pixel moves it by at most half a source pixel.
        using var a = Grey(warped);
        using var b = Grey(resized);
        using var noWindow = new Mat();
        var shift = Cv2.PhaseCorrelate(a, b, noWindow, out _);
        double allowed = 0.5 * Size / side + 0.15;
        Assert.True(Math.Abs(shift.X) <= allowed && Math.Abs(shift.Y) <= allowed,
            $"content moved by ({shift.X:F2}, {shift.Y:F2}) crop pixels, allowed {allowed:F2}");
        // And the pixels: the same bilinear sampling, so only edges moved by that sub-pixel shift differ.
        using var diff = new Mat();
        Cv2.Absdiff(warped, resized, diff);
        using var values = diff.Reshape(1); // all three channels, not only blue
        double mean = Cv2.Mean(values).Val0;
        Assert.True(mean < 3, $"mean difference {mean:F2} grey levels");
    }

    private static Mat Grey(Mat bgr)
    {
        using var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        var f = new Mat();
        grey.ConvertTo(f, MatType.CV_64F);
        return f;
    }

    [Fact]
    public void A_face_in_its_crop_is_centred_scaled_and_turned_as_the_crop_was()
    {
        var cropper = new FaceCropper(0.1f);
        var lm = new FaceLandmarks(new PointF(380, 200), new PointF(420, 220), new PointF(400, 230), new PointF(385, 250), new PointF(410, 262));
        var face = new FaceDetection(new BoxF(350, 180, 100, 120), 0.9f, lm);
        var (_, _, side, angle) = cropper.Locate(face);
        var inCrop = cropper.InCrop(face, Size);

        Assert.Equal(Size / 2.0, inCrop.Box.CenterX, 3);
        Assert.Equal(Size / 2.0, inCrop.Box.CenterY, 3);
        Assert.Equal(100 * Size / side, inCrop.Box.Width, 3);
        // The crop is turned by the eye line: in it the eyes are level, as far apart as before (scaled).
        var eyes = (inCrop.Landmarks!.RightEye, inCrop.Landmarks.LeftEye);
        Assert.Equal(eyes.RightEye.Y, eyes.LeftEye.Y, 3);
        Assert.Equal(Math.Sqrt(40 * 40 + 20 * 20) * Size / side, eyes.LeftEye.X - eyes.RightEye.X, 2);
        Assert.True(angle > 0);
    }
}

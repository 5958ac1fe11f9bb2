using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Analysis;

/// <summary>
/// Cuts a square face crop for the age/gender model: centred on the detection, side = longer box side
/// × (1 + 2 · margin), rotated upright by the eye line when the detector gives eyes.
/// </summary>
public sealed class FaceCropper(float margin, bool alignByEyes = true)
{
    public float Margin { get; } = margin;

    /// <summary>The square a crop takes from the image: centre, side (pixels) and the rotation (degrees) that sets it upright.</summary>
    public readonly record struct Square(float CenterX, float CenterY, float Side, double Angle);

    public Square Locate(FaceDetection face)
    {
        var box = face.Box;
        double angle = 0;
        if (alignByEyes && face.Landmarks is { } lm)
        {
            // Subject's right eye is on the image left; the eye line's tilt is the roll to undo.
            angle = Math.Atan2(lm.LeftEye.Y - lm.RightEye.Y, lm.LeftEye.X - lm.RightEye.X) * 180 / Math.PI;
        }
        return new Square(box.CenterX, box.CenterY, Math.Max(box.Width, box.Height) * (1 + 2 * Margin), angle);
    }

    public Mat Crop(Mat bgr, FaceDetection face, int size)
    {
        var (cx, cy, side, angle) = Locate(face);
        double scale = size / side;
        // Rotate about the face centre, scale, then move the centre to the middle of the output.
        using var m = Cv2.GetRotationMatrix2D(new Point2f(cx, cy), angle, scale);
        m.Set(0, 2, m.At<double>(0, 2) + size / 2.0 - cx);
        m.Set(1, 2, m.At<double>(1, 2) + size / 2.0 - cy);
        var crop = new Mat();
        Cv2.WarpAffine(bgr, crop, m, new Size(size, size), InterpolationFlags.Linear, BorderTypes.Replicate);
        return crop;
    }
}

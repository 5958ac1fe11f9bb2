using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Alignment;

/// <summary>The least-squares similarity onto the five-point template.</summary>
public class FaceAlignmentTests
{
    private static readonly PointF[] Template = FaceAlignment.Pairs(new FaceLandmarks(new(0, 0), new(1, 0), new(0, 1), new(0, 2), new(1, 2))).Template;

    [Fact]
    public void A_face_rotated_scaled_and_moved_is_brought_back_exactly()
    {
        // The template turned by 20°, scaled 2.5 times and moved: the fit must undo exactly that.
        double angle = 20 * Math.PI / 180, scale = 2.5, c = Math.Cos(angle) * scale, s = Math.Sin(angle) * scale;
        var face = Template.Select(p => new PointF((float)(c * p.X - s * p.Y + 300), (float)(s * p.X + c * p.Y + 120))).ToArray();

        var m = FaceAlignment.Similarity(face, Template);

        for (int i = 0; i < face.Length; i++)
        {
            double x = m[0] * face[i].X + m[1] * face[i].Y + m[2], y = m[3] * face[i].X + m[4] * face[i].Y + m[5];
            Assert.Equal(Template[i].X, x, 3);
            Assert.Equal(Template[i].Y, y, 3);
        }
        Assert.Equal(1 / scale, Math.Sqrt(m[0] * m[0] + m[3] * m[3]), 6);
    }

    [Fact]
    public void Noisy_points_are_fitted_in_the_least_squares_sense_not_through_the_first_three()
    {
        // One point off by 4 pixels: the fit spreads it, so every residual stays below it and the other points move too.
        var face = Template.Select(p => new PointF(p.X * 2, p.Y * 2)).ToArray();
        face[4] = new PointF(face[4].X + 8, face[4].Y);
        var m = FaceAlignment.Similarity(face, Template);
        var residuals = face.Select((p, i) => Math.Abs(m[0] * p.X + m[1] * p.Y + m[2] - Template[i].X)).ToArray();

        Assert.True(residuals[4] < 4 && residuals[4] > 0.5, $"{residuals[4]}");
        Assert.True(residuals.Take(4).Max() > 0.1);
    }

    [Fact]
    public void A_face_with_landmarks_is_warped_onto_the_template_and_one_without_onto_its_box()
    {
        // A white image with dark dots where a face's five points are: aligned, the dots land on the template's places.
        using var image = new Mat(400, 400, MatType.CV_8UC3, Scalar.White);
        var points = Template.Select(p => new PointF(p.X * 1.5f + 100, p.Y * 1.5f + 80)).ToArray();
        foreach (var p in points) Cv2.Circle(image, new Point(p.X, p.Y), 2, Scalar.Black, -1);
        var face = new FaceDetection(new BoxF(100, 80, 168, 168), 0.9f, new FaceLandmarks(points[0], points[1], points[2], points[3], points[4]));

        using var aligned = FaceAlignment.Warp(image, face);
        Assert.Equal(new Size(112, 112), aligned.Size());
        foreach (var t in Template) Assert.True(aligned.At<Vec3b>((int)Math.Round(t.Y), (int)Math.Round(t.X)).Item0 < 128, $"dark at {t}");

        using var boxed = FaceAlignment.Warp(image, face with { Landmarks = null });
        Assert.Equal(new Size(112, 112), boxed.Size());
    }
}

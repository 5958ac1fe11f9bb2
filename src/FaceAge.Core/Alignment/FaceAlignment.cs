using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Alignment;

/// <summary>
/// Puts a face where recognition networks expect it: the five landmarks (eye centres, nose tip, mouth corners) moved by
/// the least-squares similarity transform (rotation, one scale, shift) onto the usual 112×112 five-point template. With
/// a mouth centre instead of corners (BlazeFace) the four points it has are used; without landmarks, the detection box
/// squared.
/// </summary>
public static class FaceAlignment
{
    public const int Size = 112;

    // The subject's right eye (left in the image), left eye, nose tip, right and left mouth corner on a 112×112 crop;
    // the mouth centre is the corners' midpoint.
    private static readonly PointF RightEye = new(38.2946f, 51.6963f), LeftEye = new(73.5318f, 51.5014f), Nose = new(56.0252f, 71.7366f),
        MouthRight = new(41.5493f, 92.3655f), MouthLeft = new(70.7299f, 92.2041f), MouthCentre = new(56.1396f, 92.2848f);

    /// <summary>The landmarks and the template places they go to.</summary>
    public static (PointF[] Face, PointF[] Template) Pairs(FaceLandmarks lm)
    {
        var face = new List<PointF> { lm.RightEye, lm.LeftEye, lm.Nose };
        var template = new List<PointF> { RightEye, LeftEye, Nose };
        if (lm.MouthRight is { } mr && lm.MouthLeft is { } ml)
        {
            face.AddRange([mr, ml]);
            template.AddRange([MouthRight, MouthLeft]);
        }
        else if (lm.MouthCenter is { } mc)
        {
            face.Add(mc);
            template.Add(MouthCentre);
        }
        return ([.. face], [.. template]);
    }

    /// <summary>
    /// The similarity x' = a·x − b·y + tx, y' = b·x + a·y + ty that moves <paramref name="from"/> closest to
    /// <paramref name="to"/> (least squares; closed form on the centred points), as a 2×3 row-major matrix.
    /// </summary>
    public static double[] Similarity(ReadOnlySpan<PointF> from, ReadOnlySpan<PointF> to)
    {
        if (from.Length != to.Length || from.Length < 2) throw new ArgumentException("Two or more point pairs are needed.");
        double fx = 0, fy = 0, tx = 0, ty = 0;
        for (int i = 0; i < from.Length; i++)
        {
            fx += from[i].X; fy += from[i].Y; tx += to[i].X; ty += to[i].Y;
        }
        fx /= from.Length; fy /= from.Length; tx /= from.Length; ty /= from.Length;
        double dot = 0, cross = 0, norm = 0;
        for (int i = 0; i < from.Length; i++)
        {
            double px = from[i].X - fx, py = from[i].Y - fy, qx = to[i].X - tx, qy = to[i].Y - ty;
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if (norm <= 1e-9) throw new ArgumentException("The points coincide.");
        double a = dot / norm, b = cross / norm;
        return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
    }

    /// <summary>The face on the template (<paramref name="size"/> pixels square, the template scaled to it), or the box squared.</summary>
    public static Mat Warp(Mat bgr, FaceDetection face, int size = Size)
    {
        double[] m;
        if (face.Landmarks is { } lm)
        {
            var (points, template) = Pairs(lm);
            float k = size / (float)Size;
            m = Similarity(points, template.Select(p => new PointF(p.X * k, p.Y * k)).ToArray());
        }
        else
        {
            var box = face.Box;
            float side = Math.Max(box.Width, box.Height);
            double scale = size / side;
            m = [scale, 0, -(box.CenterX - side / 2) * scale, 0, scale, -(box.CenterY - side / 2) * scale];
        }
        using var transform = Mat.FromPixelData(2, 3, MatType.CV_64FC1, m);
        var crop = new Mat();
        Cv2.WarpAffine(bgr, crop, transform, new Size(size, size), InterpolationFlags.Linear, BorderTypes.Replicate);
        return crop;
    }
}

using FaceAge.Core.Detection;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Training.Precision;

/// <summary>A frame for the precision bench: where it came from, and the boxes of the faces it still holds (none when face-free).</summary>
public sealed record PrecisionFrame(string Source, string Kind, Mat Image, IReadOnlyList<BoxF> Faces) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// Frames on which any detection is a false face. From real videos of one person (each holds exactly that person,
/// start to end): the person's face — the largest confident detection, carried over frames where it is not found —
/// is painted out (inpainted with a margin for hair and chin), leaving the body, hands, clothes and background; and
/// the same frames as they are, where a detection that overlaps no face is false. And generated textures: noise,
/// stripes, checkers, gradients and skin-toned blobs with dark spots, the kind of thing a face detector fires on.
/// </summary>
public static class FaceFreeFrames
{
    /// <summary>Frames of one single-person video at <paramref name="fps"/>: the face painted out ("masked") and the frame as is ("with-face").</summary>
    public static IEnumerable<PrecisionFrame> FromSinglePersonVideo(string path, double fps, IFaceDetector reference)
    {
        BoxF? face = null;
        var name = Path.GetFileNameWithoutExtension(path);
        foreach (var frame in new FfmpegFrameSource(new FrameSourceOptions(path) { MaxFps = fps }).FramesAsync().ToBlockingEnumerable())
        {
            using (frame)
            {
                var confident = reference.Detect(frame.Image).Where(d => d.Score >= 0.8f).MaxBy(d => d.Box.Area);
                // The person's face: the largest confident detection, or where it last was (a turned head is still there).
                if (confident is not null && (face is null || confident.Box.Area > 0.3f * face.Value.Area)) face = confident.Box;
                if (face is not { } f) continue;
                yield return new PrecisionFrame(name, "with-face", frame.Image.Clone(), [f]);
                yield return new PrecisionFrame(name, "masked", PaintOut(frame.Image, f), []);
            }
        }
    }

    /// <summary>The image with the box (grown by half its size for hair and chin) inpainted from its surroundings.</summary>
    public static Mat PaintOut(Mat image, BoxF box)
    {
        float grow = 0.5f * Math.Max(box.Width, box.Height);
        var r = new Rect((int)(box.X - grow / 2), (int)(box.Y - grow * 0.7f), (int)(box.Width + grow), (int)(box.Height + grow * 1.2f))
            & new Rect(0, 0, image.Width, image.Height);
        using var mask = new Mat(image.Size(), MatType.CV_8UC1, Scalar.Black);
        Cv2.Ellipse(mask, new RotatedRect(new Point2f(r.X + r.Width / 2f, r.Y + r.Height / 2f), new Size2f(r.Width, r.Height), 0), Scalar.White, -1);
        var result = new Mat();
        Cv2.Inpaint(image, mask, result, 7, InpaintTypes.Telea);
        return result;
    }

    /// <summary>Generated face-free textures, reproducible from the seed.</summary>
    public static IEnumerable<PrecisionFrame> Textures(int count, int width, int height, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var image = new Mat(height, width, MatType.CV_8UC3);
            string kind = (i % 5) switch { 0 => "noise", 1 => "stripes", 2 => "checkers", 3 => "gradients", _ => "blobs" };
            switch (i % 5)
            {
                case 0: // noise at a random scale, blurred into blobs
                    using (var small = new Mat(Math.Max(2, height / random.Next(4, 64)), Math.Max(2, width / random.Next(4, 64)), MatType.CV_8UC3))
                    {
                        Cv2.Randu(small, Scalar.All(0), Scalar.All(255));
                        Cv2.Resize(small, image, image.Size(), 0, 0, InterpolationFlags.Cubic);
                    }
                    break;
                case 1: // stripes at an angle
                    image.SetTo(Color(random));
                    for (int x = -height; x < width + height; x += random.Next(8, 60))
                        Cv2.Line(image, new Point(x, 0), new Point(x + random.Next(-height, height), height), Color(random), random.Next(2, 20));
                    break;
                case 2: // checkers
                    int cell = random.Next(10, 80);
                    var a = Color(random);
                    var b = Color(random);
                    for (int y = 0; y < height; y += cell)
                        for (int x = 0; x < width; x += cell)
                            Cv2.Rectangle(image, new Rect(x, y, cell, cell), ((x + y) / cell) % 2 == 0 ? a : b, -1);
                    break;
                case 3: // gradient with soft rectangles
                    using (var ramp = new Mat(height, 1, MatType.CV_8UC1))
                    {
                        for (int y = 0; y < height; y++) ramp.Set(y, 0, (byte)(255.0 * y / height));
                        using var wide = new Mat();
                        Cv2.Resize(ramp, wide, new Size(width, height), 0, 0, InterpolationFlags.Nearest);
                        Cv2.CvtColor(wide, image, ColorConversionCodes.GRAY2BGR);
                    }
                    for (int k = 0; k < 12; k++)
                        Cv2.Rectangle(image, new Rect(random.Next(width), random.Next(height), random.Next(20, 300), random.Next(20, 300)), Color(random), -1);
                    Cv2.GaussianBlur(image, image, new Size(0, 0), 3);
                    break;
                default: // skin-toned ellipses with two dark spots and a line: face-like, but no face
                    image.SetTo(Color(random));
                    for (int k = 0; k < 10; k++)
                    {
                        int s = random.Next(20, 200);
                        var c = new Point(random.Next(width), random.Next(height));
                        var skin = new Scalar(random.Next(60, 200), random.Next(90, 210), random.Next(130, 250));
                        Cv2.Ellipse(image, new RotatedRect(new Point2f(c.X, c.Y), new Size2f(s * 0.8f, s), random.Next(-30, 30)), skin, -1);
                        if (random.NextDouble() < 0.6)
                        {
                            int spot = Math.Max(2, s / 10);
                            Cv2.Circle(image, new Point(c.X - s / 5, c.Y - s / 8), spot, Scalar.All(random.Next(0, 60)), -1);
                            Cv2.Circle(image, new Point(c.X + s / 5, c.Y - s / 8), spot, Scalar.All(random.Next(0, 60)), -1);
                            if (random.NextDouble() < 0.5) Cv2.Line(image, new Point(c.X - s / 6, c.Y + s / 4), new Point(c.X + s / 6, c.Y + s / 4),
                                Scalar.All(random.Next(0, 80)), Math.Max(1, s / 25));
                        }
                    }
                    Cv2.GaussianBlur(image, image, new Size(0, 0), random.Next(1, 4));
                    break;
            }
            yield return new PrecisionFrame("textures-" + kind, "texture", image, []);
        }
    }

    private static Scalar Color(Random random) => new(random.Next(256), random.Next(256), random.Next(256));

    /// <summary>A detection that overlaps none of the frame's faces (IoU below 0.1) is a false face.</summary>
    public static bool IsFalse(FaceDetection d, IReadOnlyList<BoxF> faces) => faces.All(f => f.IntersectionOverUnion(d.Box) < 0.1f);
}

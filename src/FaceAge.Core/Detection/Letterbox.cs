using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// Fits an image into a fixed network input keeping its aspect ratio (padding bottom/right), and maps
/// network coordinates back to image pixels.
/// </summary>
public readonly record struct Letterbox(float Scale, int Width, int Height)
{
    public static Letterbox Fit(int imageWidth, int imageHeight, int inputWidth, int inputHeight)
        => new(Math.Min((float)inputWidth / imageWidth, (float)inputHeight / imageHeight), inputWidth, inputHeight);

    /// <summary>Resized image padded with black to the input size.</summary>
    public Mat Apply(Mat bgr)
    {
        var canvas = new Mat(Height, Width, MatType.CV_8UC3, Scalar.Black);
        ApplyInto(DetectorImage.Of(bgr), canvas);
        return canvas;
    }

    /// <summary>True when the image shrinks by 2 or more: its first step is then a 2× halving, which a caller may give.</summary>
    public bool FromHalf => Scale <= 0.5f;

    // Per-thread halvings of the image (a pyramid), reused from frame to frame.
    [ThreadStatic] private static Mat[]? _halves;

    /// <summary>
    /// Resizes into the top-left of <paramref name="canvas"/> (input size, 8-bit BGR) and blacks out the rest.
    /// Shrinking by more than 2 goes through exact halvings (OpenCV's fast area path, which averages every pixel, as a
    /// small face needs) and a last bilinear step of at most 2: a direct area resize by 4 was measured 10× slower
    /// (2.1 ms against 0.2 ms for a 720p frame), and a direct bilinear one drops pixels and small faces with them.
    /// When the image shrinks by 2 or more (<see cref="FromHalf"/>) and its halving is given, that is the first
    /// step (its size must be the image's halved and rounded down); otherwise the full image must be given.
    /// </summary>
    public void ApplyInto(DetectorImage image, Mat canvas)
    {
        int w = Math.Max(1, (int)Math.Round(image.Width * Scale)), h = Math.Max(1, (int)Math.Round(image.Height * Scale));
        w = Math.Min(w, Width);
        h = Math.Min(h, Height);
        int sw = image.Width, sh = image.Height, level = 0;
        double remaining = Scale;
        Mat source;
        if (FromHalf && image.Half is { } half && sw >= 2 && sh >= 2)
        {
            sw /= 2;
            sh /= 2;
            if (half.Width != sw || half.Height != sh) throw new ArgumentException($"The halving is {half.Width}x{half.Height}, expected {sw}x{sh}.",
                nameof(image));
            source = half;
            remaining *= 2;
            level = 1;
        }
        else source = image.Full ?? throw new ArgumentException($"A {image.Width}x{image.Height} image shrinking by less than 2 (or without its halving) "
            + "needs its full-resolution pixels.", nameof(image));
        var halves = _halves ??= new Mat[8];
        for (; remaining <= 0.5 && level < halves.Length && sw >= 2 && sh >= 2; level++)
        {
            sw /= 2;
            sh /= 2;
            var next = halves[level] ??= new Mat();
            Cv2.Resize(source, next, new Size(sw, sh), 0, 0, InterpolationFlags.Area);
            source = next;
            remaining *= 2;
        }
        using (var target = new Mat(canvas, new Rect(0, 0, w, h)))
        {
            if (sw == w && sh == h) source.CopyTo(target);
            else Cv2.Resize(source, target, new Size(w, h), 0, 0, InterpolationFlags.Linear);
        }
        if (w < Width) using (var right = new Mat(canvas, new Rect(w, 0, Width - w, Height))) right.SetTo(Scalar.Black);
        if (h < Height) using (var bottom = new Mat(canvas, new Rect(0, h, w, Height - h))) bottom.SetTo(Scalar.Black);
    }

    public float ToImage(float networkCoordinate) => networkCoordinate / Scale;
}

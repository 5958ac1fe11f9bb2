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
        int w = Math.Max(1, (int)Math.Round(bgr.Width * Scale)), h = Math.Max(1, (int)Math.Round(bgr.Height * Scale));
        w = Math.Min(w, Width);
        h = Math.Min(h, Height);
        var canvas = new Mat(Height, Width, MatType.CV_8UC3, Scalar.Black);
        using var resized = new Mat();
        Cv2.Resize(bgr, resized, new Size(w, h), 0, 0, Scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
        resized.CopyTo(canvas[new Rect(0, 0, w, h)]);
        return canvas;
    }

    public float ToImage(float networkCoordinate) => networkCoordinate / Scale;
}

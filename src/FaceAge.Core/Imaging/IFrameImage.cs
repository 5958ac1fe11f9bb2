using OpenCvSharp;

namespace FaceAge.Core.Imaging;

/// <summary>
/// A frame's pixels in the form they were decoded in (a camera's I420, or BGR), turned into BGR only as far as a stage
/// needs: the detector mostly needs a 2× halving, a crop a region around a face. Converting every camera frame whole
/// cost the worker more than its detector input did (measured: 0.34 ms against 0.13 ms for the halving made from I420).
/// </summary>
public interface IFrameImage
{
    int Width { get; }
    int Height { get; }

    /// <summary>The whole image in BGR, made on first use and kept with the frame (do not dispose it).</summary>
    Mat Bgr { get; }

    /// <summary>
    /// The image shrunk 2× each way (<see cref="Width"/>/2 × <see cref="Height"/>/2, 8-bit BGR) into
    /// <paramref name="destination"/>, each pixel the average of its 2×2 block (an I420 frame's colour is a little
    /// softer, see <see cref="I420Image.HalveInto"/>).
    /// </summary>
    void HalveInto(Mat destination);

    /// <summary>
    /// A region (inside the image) in BGR, pixel for pixel as in <see cref="Bgr"/>. The caller disposes it and uses it at
    /// once: its pixels may be a buffer of this thread that the next call overwrites.
    /// </summary>
    Mat Region(Rect region);
}

/// <summary>A BGR image as an <see cref="IFrameImage"/>; it does not own the image.</summary>
public sealed class BgrImage(Mat bgr) : IFrameImage
{
    public int Width => bgr.Width;
    public int Height => bgr.Height;
    public Mat Bgr => bgr;

    public void HalveInto(Mat destination) => Cv2.Resize(bgr, destination, new Size(bgr.Width / 2, bgr.Height / 2), 0, 0, InterpolationFlags.Area);

    public Mat Region(Rect region) => new(bgr, region);
}

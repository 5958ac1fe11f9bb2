using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// What a detector looks at: an image of <see cref="Width"/> × <see cref="Height"/>, given in BGR at full resolution
/// (<see cref="Full"/>), as its 2× halving (<see cref="Half"/>: Width/2 × Height/2), or both. A detector whose input
/// shrinks the image by 2 or more needs only the halving (<see cref="Letterbox.FromHalf"/>), which callers make once
/// for a frame and all its tiles; results are always in the image's own pixels.
/// </summary>
public readonly record struct DetectorImage(int Width, int Height, Mat? Full, Mat? Half)
{
    public static DetectorImage Of(Mat bgr, Mat? half = null) => new(bgr.Width, bgr.Height, bgr, half);

    // Per-thread halving of a frame, reused from frame to frame.
    [ThreadStatic] private static Mat? _half;

    /// <summary>The frame's 2× halving, in a buffer of this thread that the next call overwrites.</summary>
    public static Mat HalfOf(IFrameImage frame)
    {
        var half = _half ??= new Mat();
        frame.HalveInto(half);
        return half;
    }

    /// <summary>
    /// The detector image of a frame for a network input of <paramref name="inputSize"/>: only the frame's halving when
    /// the letterbox shrinks it by 2 or more and its sides are even, else its full BGR. The halving lives in a buffer of
    /// this thread until its next call.
    /// </summary>
    public static DetectorImage For(IFrameImage frame, (int Width, int Height) inputSize)
    {
        var box = Letterbox.Fit(frame.Width, frame.Height, inputSize.Width, inputSize.Height);
        if (!box.FromHalf || !CanHalve(frame.Width, frame.Height)) return new(frame.Width, frame.Height, frame.Bgr, null);
        return new(frame.Width, frame.Height, null, HalfOf(frame));
    }

    /// <summary>Only even sides halve exactly (and a part of the halving on even pixels is that part's own halving).</summary>
    public static bool CanHalve(int width, int height) => width >= 2 && height >= 2 && width % 2 == 0 && height % 2 == 0;
}

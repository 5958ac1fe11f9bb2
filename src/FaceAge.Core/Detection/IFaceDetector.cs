using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>Finds faces in a BGR image. Implementations are thread-safe.</summary>
public interface IFaceDetector : IDisposable
{
    string Name { get; }
    IReadOnlyList<FaceDetection> Detect(Mat bgr);

    /// <summary>
    /// Detects in <paramref name="bgr"/>, given also its exact 2× area halving (<paramref name="half"/>, or null), so a
    /// caller that already made it — the tiled detector makes it once for the frame and all its tiles — saves a detector
    /// that shrinks by 2 or more from making it again. Results are in <paramref name="bgr"/>'s pixels, as from <see cref="Detect(Mat)"/>.
    /// </summary>
    IReadOnlyList<FaceDetection> Detect(Mat bgr, Mat? half) => Detect(bgr);
}

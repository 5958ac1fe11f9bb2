using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>Finds faces in an image. Implementations are thread-safe.</summary>
public interface IFaceDetector : IDisposable
{
    string Name { get; }

    /// <summary>The network's input size, which every image is letterboxed to.</summary>
    (int Width, int Height) InputSize { get; }

    /// <summary>Detects in an image given at full resolution, as its halving, or both (see <see cref="DetectorImage"/>); results in its pixels.</summary>
    IReadOnlyList<FaceDetection> Detect(DetectorImage image);

    IReadOnlyList<FaceDetection> Detect(Mat bgr) => Detect(DetectorImage.Of(bgr));

    /// <summary>
    /// Detects in a tile, where only faces small against it are kept (<see cref="TiledFaceDetector"/>): passes for large faces may be
    /// left out.
    /// </summary>
    IReadOnlyList<FaceDetection> DetectInTile(DetectorImage tile) => Detect(tile);

    /// <summary>Detects in a frame, converting only what the detector needs of it (mostly its halving).</summary>
    IReadOnlyList<FaceDetection> Detect(IFrameImage frame) => Detect(DetectorImage.For(frame, InputSize));
}

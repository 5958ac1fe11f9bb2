using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>Finds faces in a BGR image. Implementations are thread-safe.</summary>
public interface IFaceDetector : IDisposable
{
    string Name { get; }
    IReadOnlyList<FaceDetection> Detect(Mat bgr);
}

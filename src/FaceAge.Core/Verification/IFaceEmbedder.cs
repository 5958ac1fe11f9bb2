using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Verification;

/// <summary>
/// Turns a detected face into an embedding: a vector that is close (by cosine) for two photos of the same person.
/// Embeddings live in memory only; FaceAge never writes them anywhere (docs/privacy.md).
/// </summary>
public interface IFaceEmbedder : IDisposable
{
    /// <summary>Registry name, e.g. "faceres-deep" or "mobileface".</summary>
    string Name { get; }

    /// <summary>One embedding per face of the BGR image.</summary>
    IReadOnlyList<float[]> Embed(Mat bgr, IReadOnlyList<FaceDetection> faces);
}

using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Verification;

/// <summary>
/// The age/gender model's own 1024-d descriptor (faceres-deep's global pooling) as the embedding: free wherever
/// age and gender are estimated anyway (the worker's re-entry uses it).
/// </summary>
public sealed class DescriptorEmbedder(string name, FaceAnalyzer analyzer, bool ownsAnalyzer = true) : IFaceEmbedder
{
    public string Name { get; } = name;

    public IReadOnlyList<float[]> Embed(Mat bgr, IReadOnlyList<FaceDetection> faces)
        => analyzer.Analyze(bgr, faces).Select(r => r.Attributes.Descriptor).ToList();

    public void Dispose()
    {
        if (ownsAnalyzer) analyzer.Dispose();
    }
}

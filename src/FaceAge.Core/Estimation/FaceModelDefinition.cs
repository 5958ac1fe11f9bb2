using FaceAge.Core.Imaging;

namespace FaceAge.Core.Estimation;

/// <summary>What one face model says of a face on its own: an age (with its distribution where the model gives one) and/or P(male).</summary>
public sealed record OwnEstimate(double? Age, float? MaleProbability, AgeDistribution? Distribution = null);

/// <summary>
/// What FaceAge knows of one face-attribute model: its name, file, how it wants a face (input size, pixels, grey or
/// colour, and <see cref="Zoom"/> — how much tighter than the analyzer's face crop it looks), which outputs make its
/// feature vector (concatenated, in order: what a trained head reads) and how its own age/gender is read from them.
/// </summary>
/// <param name="Zoom">1 = the whole face crop; above 1 the centre 1/zoom of it; below 1 the crop with replicated border around it.</param>
/// <param name="Outputs">ONNX output names, in feature order, with their lengths.</param>
/// <param name="Own">Reads the model's own estimate from its outputs (same order as <paramref name="Outputs"/>).</param>
public sealed record FaceModelDefinition(
    string Name, string File, int InputSize, PixelNormalization Pixels, bool Grayscale, float Zoom,
    IReadOnlyList<(string Name, int Length)> Outputs, Func<IReadOnlyList<float[]>, OwnEstimate> Own, string Description, string? LayoutName = null)
{
    public int FeatureLength => Outputs.Sum(o => o.Length);

    /// <summary>"gear:age_output7+gender_output2+race_output5+global_max_pooling2d_1192" — names the feature layout a head was trained on.</summary>
    public string Layout => LayoutName ?? $"{Name}:{string.Join('+', Outputs.Select(o => $"{ShortName(o.Name)}{o.Length}"))}";

    private static string ShortName(string output)
    {
        var name = output.Split(':')[0].TrimEnd('/');
        var parts = name.Split('/');
        return parts.Length > 1 && parts[^1] is "Softmax" or "Sigmoid" or "Mean" or "Max" or "add" ? parts[^2] : parts[^1];
    }
}

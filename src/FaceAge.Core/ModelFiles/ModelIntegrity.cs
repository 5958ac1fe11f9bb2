using System.Security.Cryptography;
using System.Text.Json;

namespace FaceAge.Core.ModelFiles;

/// <summary>
/// Checks a model file against the SHA-256 recorded for it, so a changed, truncated or corrupt file is refused
/// with a message naming it and the expected hash. The record is the "&lt;file&gt;.sha256" stamp that
/// `models setup` writes (line "onnx-sha256 &lt;hex&gt;"), or for a trained head the "HeadSha256" of the model
/// card ("&lt;name&gt;.card.json") that `faceage train` writes beside it. Files with neither (a user's own
/// detector) are not checked.
/// </summary>
public static class ModelIntegrity
{
    private const string Prefix = "onnx-sha256 ";
    /// <summary>A head trained with its last backbone block is &lt;stem&gt;.onnx beside &lt;stem&gt;.backbone.onnx.</summary>
    public const string TunedBackboneSuffix = ".backbone";

    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The stamp line `models setup` writes for a built model file: "onnx-sha256 &lt;hex&gt;".</summary>
    public static string StampLine(string modelPath) => Prefix + Sha256Of(modelPath);

    public static string? ExpectedSha256(string modelPath) => Expected(modelPath)?.Hash;

    /// <summary>Throws <see cref="InvalidDataException"/> when the file's SHA-256 differs from the recorded one.</summary>
    public static void Verify(string modelPath)
    {
        if (Expected(modelPath) is not var (expected, fix)) return;
        string actual = Sha256Of(modelPath);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Model file {modelPath} is changed or corrupt: its SHA-256 is {actual}, expected {expected}. {fix}");
    }

    private static (string Hash, string Fix)? Expected(string modelPath)
    {
        var stamp = modelPath + ".sha256";
        if (File.Exists(stamp))
        {
            var line = File.ReadLines(stamp).FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
            return line is null ? null : (line[Prefix.Length..].Trim(), $"Rebuild the models with: {ModelDirectory.SetupCommand}");
        }
        // A head's card is <stem>.card.json; the fine-tuned backbone that goes with it, <stem>.backbone.onnx, is in the same card.
        var stem = Path.ChangeExtension(modelPath, null);
        bool tunedBackbone = stem.EndsWith(TunedBackboneSuffix, StringComparison.Ordinal);
        var card = (tunedBackbone ? stem[..^TunedBackboneSuffix.Length] : stem) + ".card.json";
        if (!File.Exists(card)) return null;
        using var json = JsonDocument.Parse(File.ReadAllText(card));
        return json.RootElement.TryGetProperty(tunedBackbone ? "BackboneSha256" : "HeadSha256", out var hash) && hash.GetString() is { Length: 64 } h
            ? (h, $"(recorded in {card}) Train the head again with `faceage train` or restore it.")
            : null;
    }
}

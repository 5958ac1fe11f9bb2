using System.Security.Cryptography;

namespace FaceAge.Core.Models;

/// <summary>
/// Checks a built model against the SHA-256 that `models setup` recorded for it (line "onnx-sha256 &lt;hex&gt;"
/// of the "&lt;file&gt;.sha256" stamp beside it), so a changed, truncated or corrupt file is refused with a
/// message naming it and the expected hash. Files without a stamp (a user's own detector) are not checked.
/// </summary>
public static class ModelIntegrity
{
    private const string Prefix = "onnx-sha256 ";

    public static string? ExpectedSha256(string modelPath)
    {
        var stamp = modelPath + ".sha256";
        if (!File.Exists(stamp)) return null;
        return File.ReadLines(stamp).FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal))?[Prefix.Length..].Trim();
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when the file's SHA-256 differs from the recorded one.</summary>
    public static void Verify(string modelPath)
    {
        if (ExpectedSha256(modelPath) is not { } expected) return;
        string actual;
        using (var stream = File.OpenRead(modelPath)) actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Model file {modelPath} is changed or corrupt: its SHA-256 is {actual}, expected {expected}. Rebuild the models with: {ModelDirectory.SetupCommand}");
    }
}

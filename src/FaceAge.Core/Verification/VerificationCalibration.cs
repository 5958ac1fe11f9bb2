using System.Text.Json;
using FaceAge.Core.Estimation;

namespace FaceAge.Core.Verification;

/// <summary>
/// What `faceage bench verify` chose for one embedding: the decision threshold on the (centred) cosine, the false- and
/// true-accept rates it gave on the bench's pairs, and P(same person | similarity) = 1 / (1 + e^−(Slope · s + Intercept)).
/// Stored as JSON (models/heads/verification.json); holds no face of anyone, only the mean embedding of many.
/// </summary>
public sealed record VerificationCalibration
{
    public required string Embedding { get; init; }
    /// <summary>The landmark finder whose points aligned the faces (<see cref="Alignment.FaceLandmarkers"/>); files
    /// before it was named used BlazeFace.</summary>
    public string Landmarks { get; init; } = Alignment.BlazeFaceLandmarker.Name;
    public required double Threshold { get; init; }
    public double FalseAcceptRate { get; init; }
    public double TrueAcceptRate { get; init; }
    public required double Slope { get; init; }
    public required double Intercept { get; init; }
    /// <summary>Subtracted from embeddings before the cosine (null: raw cosine).</summary>
    public float[]? Centre { get; init; }
    public string? MeasuredOn { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public double Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => FaceSimilarity.Cosine(a, b, Centre);

    /// <summary>P(same person) of a similarity.</summary>
    public double SameProbability(double similarity) => 1 / (1 + Math.Exp(-(Slope * similarity + Intercept)));

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static VerificationCalibration Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Verification calibration not found: {path} (made by faceage bench verify --calibration).",
            path);
        try
        {
            return JsonSerializer.Deserialize<VerificationCalibration>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a verification calibration: {e.Message}", e);
        }
    }
}

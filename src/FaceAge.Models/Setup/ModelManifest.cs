using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceAge.Models.Setup;

/// <summary>models/manifest.json: where each model comes from, how it is checked and what it expects.</summary>
public sealed class ModelManifest
{
    public required List<PackageEntry> Packages { get; init; }
    public required List<ModelEntry> Models { get; init; }
    public SampleSet? Samples { get; init; }

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    public static ModelManifest Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model manifest not found: {path}", path);
        var manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Json)
                       ?? throw new InvalidDataException($"{path}: empty manifest.");
        foreach (var m in manifest.Models)
            if (!manifest.Packages.Any(p => p.Id == m.Package))
                throw new InvalidDataException($"{path}: model '{m.Name}' names package '{m.Package}', which is not listed under packages.");
        return manifest;
    }

    public ModelEntry Find(string name) => Models.FirstOrDefault(m => m.Name == name)
        ?? throw new KeyNotFoundException($"Model '{name}' is not in the manifest (known: {string.Join(", ", Models.Select(m => m.Name))}).");
}

public sealed record PackageEntry(string Id, string TarballSha256, string License)
{
    /// <summary>The npm package name without the version ("@scope/name@1.0" → "@scope/name").</summary>
    [JsonIgnore] public string Name => Id[..Id.LastIndexOf('@')];
    [JsonIgnore] public string Version => Id[(Id.LastIndexOf('@') + 1)..];
    /// <summary>File name npm pack gives the tarball.</summary>
    [JsonIgnore] public string TarballName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";
}

public sealed record PackageFile(string Path, string Sha256);

public sealed record InputSpec(string Layout, long[] Shape, string? Color = null, float[]? Mean = null, float Scale = 1);

public sealed record ModelEntry(
    string Name, string Task, string Package, string Format, string License,
    List<PackageFile> Files, string Onnx, InputSpec Input, List<string>? Outputs = null, string? Notes = null, string? Quantize = null,
    string? Calibration = null)
{
    /// <summary>Every value the input can take: pixels 0–255 minus the mean of any channel, times the scale.</summary>
    [JsonIgnore] public (float Min, float Max) InputRange
    {
        get
        {
            var means = Input.Mean is { Length: > 0 } m ? m : [0f];
            return ((0 - means.Max()) * Input.Scale, (255 - means.Min()) * Input.Scale);
        }
    }

    [JsonIgnore] public bool IsTfjsGraph => Format == "tfjs-graph";

    /// <summary>
    /// An ONNX file used as it comes, unless the manifest gives it outputs or an input of any size (−1): then it is
    /// adapted (<see cref="Conversion.OnnxGraphCut"/>).
    /// </summary>
    [JsonIgnore] public bool IsAdaptedOnnx => Format == "onnx" && (Outputs is not null || Input.Shape.Any(d => d < 0));

    /// <summary>face-api's age/gender weights, built into a graph by <see cref="Conversion.FaceApiAgeGenderNet"/>.</summary>
    [JsonIgnore] public bool IsFaceApiAgeGender => Format == "face-api-age-gender";
}

public sealed record SampleSet(string Package, string Directory, List<PackageFile> Files);

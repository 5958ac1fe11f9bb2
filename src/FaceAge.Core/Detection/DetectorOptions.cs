namespace FaceAge.Core.Detection;

/// <summary>Face detector configuration (section "Detector").</summary>
public sealed record DetectorOptions
{
    /// <summary>A name from <see cref="DetectorRegistry"/> (case does not matter).</summary>
    public string Kind { get; init; } = UltraFaceDetector.Definition.Name;
    /// <summary>ONNX file; relative paths are under the models folder. Empty = the kind's default file.</summary>
    public string? ModelPath { get; init; }
    /// <summary>Network input size; 0 = the model's fixed size (YuNet dynamic models take any multiple of 32).</summary>
    public int InputWidth { get; init; }
    public int InputHeight { get; init; }
    public float ScoreThreshold { get; init; } = 0.7f;
    public float NmsThreshold { get; init; } = 0.3f;
    /// <summary>Also run on an N×N grid of overlapping tiles, so small faces are seen at a larger scale (1 = off).</summary>
    public int Tiles { get; init; } = 2;
    /// <summary>Faces smaller than this (pixels, shorter box side) are dropped.</summary>
    public int MinFaceSize { get; init; } = 16;
    /// <summary>
    /// UltraFace: also run on the image shrunk to this fraction of its fitted size inside the same input (the rest black),
    /// for faces that fill the picture, which its anchors (at most 256 input pixels) and training miss; 0 = off.
    /// </summary>
    public float ZoomOut { get; init; }

    public IEnumerable<string> Validate(string prefix = "Detector")
    {
        if (ScoreThreshold is <= 0 or >= 1) yield return $"{prefix}:ScoreThreshold must be in (0, 1), got {ScoreThreshold}.";
        if (NmsThreshold is <= 0 or >= 1) yield return $"{prefix}:NmsThreshold must be in (0, 1), got {NmsThreshold}.";
        if (Tiles is < 1 or > 8) yield return $"{prefix}:Tiles must be 1–8, got {Tiles}.";
        if (InputWidth < 0 || InputHeight < 0) yield return $"{prefix}:InputWidth/InputHeight must be ≥ 0.";
        if (DetectorRegistry.Find(Kind) is not { } definition)
            yield return $"{prefix}:Kind '{Kind}' is not a detector (known: {string.Join(", ", DetectorRegistry.Names)}).";
        else if (definition.Validate is { } validate)
            foreach (var e in validate(this, prefix)) yield return e;
        if (MinFaceSize < 0) yield return $"{prefix}:MinFaceSize must be ≥ 0.";
        if (ZoomOut != 0 && ZoomOut is < 0.2f or > 0.9f) yield return $"{prefix}:ZoomOut must be 0 (off) or 0.2–0.9, got {ZoomOut}.";
    }
}

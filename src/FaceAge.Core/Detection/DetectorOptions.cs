namespace FaceAge.Core.Detection;

public enum DetectorKind
{
    UltraFace,
    BlazeFaceBack,
    BlazeFaceFront,
    YuNet,
}

/// <summary>Face detector configuration (section "Detector").</summary>
public sealed record DetectorOptions
{
    public DetectorKind Kind { get; init; } = DetectorKind.UltraFace;
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

    public string DefaultModelFile => Kind switch
    {
        DetectorKind.UltraFace => "ultraface-rfb-320.onnx",
        DetectorKind.BlazeFaceBack => "blazeface-back-256.onnx",
        DetectorKind.BlazeFaceFront => "blazeface-front-128.onnx",
        DetectorKind.YuNet => "yunet.onnx",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };

    public IEnumerable<string> Validate(string prefix = "Detector")
    {
        if (ScoreThreshold is <= 0 or >= 1) yield return $"{prefix}:ScoreThreshold must be in (0, 1), got {ScoreThreshold}.";
        if (NmsThreshold is <= 0 or >= 1) yield return $"{prefix}:NmsThreshold must be in (0, 1), got {NmsThreshold}.";
        if (Tiles is < 1 or > 8) yield return $"{prefix}:Tiles must be 1–8, got {Tiles}.";
        if (InputWidth < 0 || InputHeight < 0) yield return $"{prefix}:InputWidth/InputHeight must be ≥ 0.";
        if (Kind == DetectorKind.YuNet && (InputWidth % 32 != 0 || InputHeight % 32 != 0))
            yield return $"{prefix}:InputWidth/InputHeight must be multiples of 32 for YuNet, got {InputWidth}x{InputHeight}.";
        if (MinFaceSize < 0) yield return $"{prefix}:MinFaceSize must be ≥ 0.";
    }
}

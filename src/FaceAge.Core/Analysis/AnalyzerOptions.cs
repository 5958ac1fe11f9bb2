using FaceAge.Core.Detection;
using FaceAge.Core.Inference;

namespace FaceAge.Core.Analysis;

/// <summary>Face analysis configuration (section "Analysis" of appsettings.json).</summary>
public sealed record AnalyzerOptions
{
    /// <summary>Models folder; empty = ./models (or $FACEAGE_MODELS).</summary>
    public string? ModelsDirectory { get; init; }
    public DetectorOptions Detector { get; init; } = new();
    public InferenceOptions Inference { get; init; } = new();
    /// <summary>Age/gender model file under the models folder.</summary>
    public string AgeGenderModel { get; init; } = "faceres-deep.onnx";
    /// <summary>
    /// The trained age/gender head (ONNX from `faceage train`, under the models folder or a path) run on the features
    /// of the face models it names; replaces the model's own age and gender outputs. With a head,
    /// <see cref="MaleDecisionThreshold"/> is not applied (the head is trained to decide at 0.5). The default is the
    /// committed head on faceres-deep + face-api features trained on 35,000 faces (models/heads/age-gender-lite.card.md,
    /// the worker's too; a head on four face models scored no better on unseen faces, docs/accuracy.md); empty or null =
    /// the model's own outputs.
    /// </summary>
    public string? AgeGenderHead { get; init; } = DefaultHead;
    public const string DefaultHead = "heads/age-gender-lite.onnx";
    /// <summary>
    /// The face check (ONNX from `faceage train face-check`, under the models folder or a path) that scores every
    /// detection for being a face on the age/gender model's features; empty = none. The committed check is
    /// models/heads/face-check.onnx with its model card (docs/detectors.md).
    /// </summary>
    public string? FaceCheck { get; init; } = "heads/face-check.onnx";
    /// <summary>
    /// The turn check (ONNX from `faceage train pose`, under the models folder or a path): P(the head is turned 45° or more
    /// from the camera) of every crop on the age/gender model's features, which keeps profiles whose landmarks fail from
    /// counting as looking (Attention); empty = none. The committed check is models/heads/turn-check.onnx (docs/accuracy.md).
    /// </summary>
    public string? TurnCheck { get; init; } = "heads/turn-check.onnx";
    /// <summary>
    /// The calibration `faceage compare` decides with (embedding, threshold, P(same)), written by `faceage bench verify`;
    /// under the models folder or a path (docs/accuracy.md, "Face verification").
    /// </summary>
    public string Verification { get; init; } = "heads/verification.json";
    /// <summary>P(face) below which a detection is not a face (chosen by `faceage bench precision`, docs/detectors.md).</summary>
    public double FaceCheckThreshold { get; init; } = 0.5;
    /// <summary>Extra context around the face box on each side, as a fraction of the longer box side.</summary>
    /// <remarks>0.1: measured best across UTKFace, FairFace and FG-NET with detection (docs/lab/accuracy-notebook.md, "Crop margin").</remarks>
    public float CropMargin { get; init; } = 0.1f;
    /// <summary>
    /// Landmark finder run on every detection for detectors that give no landmarks (<see cref="Alignment.FaceLandmarkers"/>:
    /// fr-landmark68, blazeface), so that <see cref="AlignByLandmarks"/> can turn crops upright; empty = none.
    /// </summary>
    public string Landmarks { get; init; } = "";
    /// <summary>Rotate crops upright by the eye line when the detector gives landmarks.</summary>
    public bool AlignByLandmarks { get; init; } = true;
    /// <summary>Also estimate each crop mirrored and average both (twice the compute, measured lower error).</summary>
    public bool FlipAugmentation { get; init; } = true;
    /// <summary>
    /// Raw model P(male) at which a face is called male; probabilities are recalibrated so this maps to
    /// 0.5. 0.65 was chosen by 5-fold cross-validation on the UTKFace development split (docs/accuracy.md).
    /// </summary>
    public double MaleDecisionThreshold { get; init; } = 0.65;
    /// <summary>
    /// Without a trained head: the stated ± of an age is this × the standard deviation of the model's age distribution,
    /// so that it holds the true age for <see cref="Estimation.AgeUncertainty.ClaimedCoverage"/> of faces (a head carries its own).
    /// </summary>
    public double AgeUncertaintyScale { get; init; } = 1;
    /// <summary>
    /// Named feature sets for `faceage train --features NAME`: models joined by '+' (faceres-deep first), e.g.
    /// "faceres-deep+faceapi-age-gender". A trained head names its own set in its metadata; this only names sets to train.
    /// </summary>
    public Dictionary<string, string>? FeatureSets { get; init; }
    /// <summary>Most crops per age/gender model run.</summary>
    public int MaxBatchSize { get; init; } = 8;
    /// <summary>Lower bounds of the reported age groups; null = <see cref="Estimation.AgeGroups.DefaultLowerBounds"/>.</summary>
    /// <remarks>Null rather than a default array: the configuration binder appends to an existing array.</remarks>
    public int[]? AgeGroups { get; init; }

    public int[] EffectiveAgeGroups => AgeGroups is { Length: > 0 } g ? g : Estimation.AgeGroups.DefaultLowerBounds;
    /// <summary>Faces with a shorter box side below this (pixels) count as full quality size-wise at ≥ this.</summary>
    public int GoodFaceSize { get; init; } = 112;

    public IEnumerable<string> Validate(string prefix = "Analysis")
    {
        foreach (var e in Detector.Validate(prefix + ":Detector")) yield return e;
        foreach (var e in Inference.Validate(prefix + ":Inference")) yield return e;
        if (CropMargin is < 0 or > 1) yield return $"{prefix}:CropMargin must be in [0, 1], got {CropMargin}.";
        if (MaxBatchSize is < 1 or > 256) yield return $"{prefix}:MaxBatchSize must be 1–256, got {MaxBatchSize}.";
        if (Landmarks.Length > 0 && !Alignment.FaceLandmarkers.Names.Contains(Landmarks, StringComparer.OrdinalIgnoreCase))
            yield return $"{prefix}:Landmarks must be empty or one of {string.Join(", ", Alignment.FaceLandmarkers.Names)}, got '{Landmarks}'.";
        if (string.IsNullOrWhiteSpace(AgeGenderModel)) yield return $"{prefix}:AgeGenderModel must name an ONNX file.";
        if (AgeGenderHead is { Length: > 0 } head && !head.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:AgeGenderHead must name an ONNX file (or be empty for the model's own outputs), got '{head}'.";
        var groups = EffectiveAgeGroups;
        if (groups[0] != 0 || groups.Zip(groups.Skip(1)).Any(p => p.Second <= p.First))
            yield return $"{prefix}:AgeGroups must start at 0 and ascend strictly, got [{string.Join(", ", groups)}].";
        if (string.IsNullOrWhiteSpace(Verification) || !Verification.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:Verification must name a calibration JSON file, got '{Verification}'.";
        if (FaceCheckThreshold is < 0 or >= 1) yield return $"{prefix}:FaceCheckThreshold must be in [0, 1), got {FaceCheckThreshold}.";
        if (FaceCheck is { Length: > 0 } check && !check.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:FaceCheck must name an ONNX file (or be empty), got '{check}'.";
        if (TurnCheck is { Length: > 0 } turn && !turn.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:TurnCheck must name an ONNX file (or be empty), got '{turn}'.";
        if (MaleDecisionThreshold is <= 0 or >= 1) yield return $"{prefix}:MaleDecisionThreshold must be in (0, 1), got {MaleDecisionThreshold}.";
        if (AgeUncertaintyScale is <= 0 or > 10) yield return $"{prefix}:AgeUncertaintyScale must be in (0, 10], got {AgeUncertaintyScale}.";
        if (GoodFaceSize < 8) yield return $"{prefix}:GoodFaceSize must be ≥ 8, got {GoodFaceSize}.";
    }
}

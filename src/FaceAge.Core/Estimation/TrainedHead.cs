using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Estimation;

/// <summary>
/// A FaceAge-trained age/gender head (ONNX, made by `faceage train`) run on the features of its
/// <see cref="FeatureSet"/> (faceres-deep's <see cref="BackboneFeatures"/>, then those of any other face models, as
/// its metadata names them): input "features" [N, length], outputs "age" [N, 121] (ages 0–120) and "male" [N, 1]. Its
/// metadata also carries the factor that turns the age distribution's standard deviation into the calibrated ±
/// (<see cref="AgeUncertainty"/>). Thread-safe.
/// </summary>
public sealed class TrainedHead : IDisposable
{
    public const string FeaturesInput = "features", AgeOutput = "age", MaleOutput = "male", LayoutKey = "faceage.features";
    /// <summary>Metadata naming the fine-tuned backbone file (beside the head) that a head trained with its last block needs.</summary>
    public const string TunedBackboneKey = "faceage.tuned_backbone";
    /// <summary>Metadata: the calibrated ± is this times the age distribution's standard deviation (fitted on held-out predictions).</summary>
    public const string UncertaintyScaleKey = "faceage.age_uncertainty_scale";
    public const int FirstAge = 0;
    private readonly ModelSession _session;

    public TrainedHead(ModelSession session, string path)
    {
        _session = session;
        Path = path;
        if (!session.InputMetadata.ContainsKey(FeaturesInput) || !session.OutputMetadata.ContainsKey(AgeOutput)
            || !session.OutputMetadata.ContainsKey(MaleOutput))
            throw new InvalidDataException($"{path} is not a FaceAge head: expected input '{FeaturesInput}' and outputs '{AgeOutput}', '{MaleOutput}'.");
        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue(LayoutKey, out var layout))
            throw new InvalidDataException($"{path} names no feature layout ({LayoutKey}); train it again with `faceage train`.");
        Features = FeatureSet.FromLayout(layout, path);
        var inputs = session.InputMetadata[FeaturesInput].Dimensions;
        if (inputs.Length != 2 || inputs[1] != Features.Length)
            throw new InvalidDataException($"{path} reads {(inputs.Length == 2 ? inputs[1] : -1)} features, but its layout '{layout}' has {Features.Length}.");
        UncertaintyScale = metadata.TryGetValue(UncertaintyScaleKey, out var scale)
            && double.TryParse(scale, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;
        if (session.ModelMetadata.CustomMetadataMap.TryGetValue(TunedBackboneKey, out var tuned))
        {
            TunedBackbone = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, tuned);
            if (!File.Exists(TunedBackbone))
                throw new FileNotFoundException($"{path} was trained with its own fine-tuned backbone {TunedBackbone}, which is missing; keep the two files "
                    + "together.", TunedBackbone);
        }
    }

    public string Path { get; }

    /// <summary>The face models whose features this head reads, in order.</summary>
    public FeatureSet Features { get; }

    /// <summary>Calibrated ± = this × the standard deviation of the head's age distribution (1 for a head without it).</summary>
    public double UncertaintyScale { get; }

    /// <summary>The fine-tuned backbone this head must run on (in place of the configured model), or null for any faceres-deep.</summary>
    public string? TunedBackbone { get; }

    /// <summary>Runs the head on <paramref name="rows"/> feature vectors stored one after another.</summary>
    public (float[] Age, float[] Male) Run(float[] features, int rows)
    {
        var tensor = new DenseTensor<float>(new Memory<float>(features, 0, rows * Features.Length), [rows, Features.Length]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(FeaturesInput, tensor)], [AgeOutput, MaleOutput]);
        return (results.First(r => r.Name == AgeOutput).AsTensor<float>().ToArray(), results.First(r => r.Name == MaleOutput).AsTensor<float>().ToArray());
    }

    public void Dispose() => _session.Dispose();
}

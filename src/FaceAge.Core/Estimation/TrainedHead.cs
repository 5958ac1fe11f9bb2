using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Estimation;

/// <summary>
/// A FaceAge-trained age/gender head (ONNX, made by `faceage train`) run on <see cref="BackboneFeatures"/>:
/// input "features" [N, 1125], outputs "age" [N, 121] (ages 0–120) and "male" [N, 1]. Thread-safe.
/// </summary>
public sealed class TrainedHead : IDisposable
{
    public const string FeaturesInput = "features", AgeOutput = "age", MaleOutput = "male", LayoutKey = "faceage.features";
    /// <summary>Metadata naming the fine-tuned backbone file (beside the head) that a head trained with its last block needs.</summary>
    public const string TunedBackboneKey = "faceage.tuned_backbone";
    public const int FirstAge = 0;
    private readonly ModelSession _session;

    public TrainedHead(ModelSession session, string path)
    {
        _session = session;
        Path = path;
        if (!session.InputMetadata.ContainsKey(FeaturesInput) || !session.OutputMetadata.ContainsKey(AgeOutput) || !session.OutputMetadata.ContainsKey(MaleOutput))
            throw new InvalidDataException($"{path} is not a FaceAge head: expected input '{FeaturesInput}' and outputs '{AgeOutput}', '{MaleOutput}'.");
        session.ModelMetadata.CustomMetadataMap.TryGetValue(LayoutKey, out var layout);
        if (layout != BackboneFeatures.Layout)
            throw new InvalidDataException($"{path} was trained on features '{layout ?? "(none)"}', but this backbone gives '{BackboneFeatures.Layout}'.");
        if (session.ModelMetadata.CustomMetadataMap.TryGetValue(TunedBackboneKey, out var tuned))
        {
            TunedBackbone = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, tuned);
            if (!File.Exists(TunedBackbone))
                throw new FileNotFoundException($"{path} was trained with its own fine-tuned backbone {TunedBackbone}, which is missing; keep the two files together.", TunedBackbone);
        }
    }

    public string Path { get; }

    /// <summary>The fine-tuned backbone this head must run on (in place of the configured model), or null for any faceres-deep.</summary>
    public string? TunedBackbone { get; }

    /// <summary>Runs the head on <paramref name="rows"/> feature vectors stored one after another.</summary>
    public (float[] Age, float[] Male) Run(float[] features, int rows)
    {
        var tensor = new DenseTensor<float>(new Memory<float>(features, 0, rows * BackboneFeatures.Length), [rows, BackboneFeatures.Length]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(FeaturesInput, tensor)], [AgeOutput, MaleOutput]);
        return (results.First(r => r.Name == AgeOutput).AsTensor<float>().ToArray(), results.First(r => r.Name == MaleOutput).AsTensor<float>().ToArray());
    }

    public void Dispose() => _session.Dispose();
}

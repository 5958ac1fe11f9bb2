using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Estimation;

/// <summary>
/// Is this crop a face? A FaceAge-trained classifier (ONNX, made by `faceage train face-check`) on the age/gender
/// backbone's own features of the crop (<see cref="BackboneFeatures"/>): input "features" [N, 1125], output "face"
/// [N, 1], the probability that the detection is a face. It costs a dot product per crop, as the features come with
/// every age/gender estimate anyway. Thread-safe.
/// </summary>
public sealed class FaceCheck : IDisposable
{
    public const string FeaturesInput = "features", FaceOutput = "face", KindKey = "faceage.kind", Kind = "face-check";
    private readonly ModelSession _session;

    public FaceCheck(ModelSession session, string path)
    {
        _session = session;
        Path = path;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!session.InputMetadata.ContainsKey(FeaturesInput) || !session.OutputMetadata.ContainsKey(FaceOutput) || metadata.GetValueOrDefault(KindKey) != Kind)
            throw new InvalidDataException($"{path} is not a FaceAge face check: expected input '{FeaturesInput}', output '{FaceOutput}' and metadata "
                + $"{KindKey}={Kind}.");
        if (metadata.GetValueOrDefault(TrainedHead.LayoutKey) != BackboneFeatures.Layout)
            throw new InvalidDataException($"{path} was trained on features '{metadata.GetValueOrDefault(TrainedHead.LayoutKey) ?? "(none)"}', but this "
                + $"backbone gives '{BackboneFeatures.Layout}'.");
    }

    public string Path { get; }

    /// <summary>P(face) of each of <paramref name="rows"/> feature vectors stored one after another.</summary>
    public float[] Run(float[] features, int rows)
    {
        var tensor = new DenseTensor<float>(new Memory<float>(features, 0, rows * BackboneFeatures.Length), [rows, BackboneFeatures.Length]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(FeaturesInput, tensor)], [FaceOutput]);
        return results[0].AsTensor<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}

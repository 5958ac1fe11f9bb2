using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Estimation;

/// <summary>
/// Is this crop a face? A FaceAge-trained classifier (ONNX, made by `faceage train face-check`) on the age/gender
/// network's own features of the crop (<see cref="BackboneFeatures"/>): input "features" [N, 1125], output "face"
/// [N, 1], the probability that the detection is a face. It costs a dot product per crop, as the features come with
/// every age/gender estimate anyway. Its metadata names the network whose features it was trained on
/// (<see cref="Layout"/>); the estimator runs it only on that network. Thread-safe.
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
        Layout = metadata.GetValueOrDefault(TrainedHead.LayoutKey)
            ?? throw new InvalidDataException($"{path} names no feature layout ({TrainedHead.LayoutKey}); train it again with `faceage train face-check`.");
    }

    public string Path { get; }

    /// <summary>The features it was trained on: "&lt;network&gt;:descriptor1024+age100+male1".</summary>
    public string Layout { get; }

    /// <summary>P(face) of each of <paramref name="rows"/> feature vectors stored one after another.</summary>
    public float[] Run(float[] features, int rows)
    {
        var tensor = new DenseTensor<float>(new Memory<float>(features, 0, rows * BackboneFeatures.Length), [rows, BackboneFeatures.Length]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(FeaturesInput, tensor)], [FaceOutput]);
        return results[0].AsTensor<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}

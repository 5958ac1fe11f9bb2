using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Estimation;

/// <summary>What a <see cref="BackboneCheck"/> decides: its metadata kind, its output, and the command that trains it.</summary>
public sealed record BackboneCheckKind(string Name, string Output, string TrainedBy);

/// <summary>
/// A FaceAge-trained classifier (ONNX, linear) on the age/gender network's own features of a crop
/// (<see cref="BackboneFeatures"/>): input "features" [N, 1125], one output [N, 1], a probability. It costs a dot product
/// per crop, as the features come with every age/gender estimate anyway. Two kinds: the face check (is the detection a
/// face at all?) and the turn check (is the head turned 45° or more from the camera?). Its metadata names its kind and the
/// network whose features it was trained on (<see cref="Layout"/>); the estimator runs it only on that network. Thread-safe.
/// </summary>
public sealed class BackboneCheck : IDisposable
{
    public const string FeaturesInput = "features", KindKey = "faceage.kind";

    /// <summary>P(face) of a detection (`faceage train face-check`).</summary>
    public static readonly BackboneCheckKind Face = new("face-check", "face", "faceage train face-check");

    /// <summary>P(the head is turned <see cref="TurnedDegrees"/> or more from the camera) (`faceage train pose`).</summary>
    public static readonly BackboneCheckKind Turn = new("turn-check", "turned", "faceage train pose");

    /// <summary>The yaw from which the turn check calls a head turned away (its training labels).</summary>
    public const double TurnedDegrees = 45;

    private readonly ModelSession _session;

    public BackboneCheck(ModelSession session, string path, BackboneCheckKind kind)
    {
        _session = session;
        Path = path;
        Kind = kind;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!session.InputMetadata.ContainsKey(FeaturesInput) || !session.OutputMetadata.ContainsKey(kind.Output)
            || metadata.GetValueOrDefault(KindKey) != kind.Name)
            throw new InvalidDataException($"{path} is not a FaceAge {kind.Name}: expected input '{FeaturesInput}', output '{kind.Output}' and metadata "
                + $"{KindKey}={kind.Name}.");
        Layout = metadata.GetValueOrDefault(TrainedHead.LayoutKey)
            ?? throw new InvalidDataException($"{path} names no feature layout ({TrainedHead.LayoutKey}); train it again with `{kind.TrainedBy}`.");
    }

    public string Path { get; }

    public BackboneCheckKind Kind { get; }

    /// <summary>The features it was trained on: "&lt;network&gt;:descriptor1024+age100+male1".</summary>
    public string Layout { get; }

    /// <summary>The probability for each of <paramref name="rows"/> feature vectors stored one after another.</summary>
    public float[] Run(float[] features, int rows)
    {
        var tensor = new DenseTensor<float>(new Memory<float>(features, 0, rows * BackboneFeatures.Length), [rows, BackboneFeatures.Length]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(FeaturesInput, tensor)], [Kind.Output]);
        return results[0].AsTensor<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}

using FaceAge.Models.Onnx;

namespace FaceAge.Models.Optimization;

/// <summary>
/// The int8 build of a network whose activations are bounded without data (pixels, relu6): batch norm and relu6 folded
/// into the convolutions (<see cref="ConvFolding"/>), then every convolution quantized (<see cref="Int8Quantizer.Apply"/>)
/// with the weight bits that give the same results on AVX2-only and VNNI CPUs. Set-up builds faceres-deep-int8 this
/// way; `faceage models quantize` builds FaceAge's own network the same way.
/// </summary>
public static class DataFreeInt8
{
    public const string MetadataKey = "faceage.quantization";

    public static readonly string Scheme = "int8 QDQ: uint8 activations per tensor from static ranges, int8 weights per channel "
        + $"(symmetric; depthwise 8-bit, others {Int8Quantizer.DefaultWeightBits}-bit, so AVX2 and VNNI CPUs compute the same)";

    /// <summary>Folds and quantizes <paramref name="model"/> in place; the input takes values in <paramref name="inputRange"/>.</summary>
    public static (int Folded, int Quantized) Apply(OnnxModel model, (float Min, float Max) inputRange)
    {
        int folded = ConvFolding.Apply(model.Graph);
        int convs = Int8Quantizer.Apply(model.Graph, inputRange);
        model.Metadata[MetadataKey] = Scheme;
        return (folded, convs);
    }
}

using System.Text.Json;
using FaceAge.Models.Onnx;
using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Conversion;

/// <summary>
/// Builds face-api's age/gender network as ONNX from its weights alone (face-api ships a weights manifest, not a
/// graph), after its published architecture: TinyXception with two main blocks on a 112×112 RGB face
/// ((pixel − [122.782, 117.001, 104.298]) / 255), then a 7×7 average pool (stride 2, valid) to 512 features, a linear
/// age output (years) and a 2-way softmax gender output (index 0 = male). TF "same" padding is ONNX SAME_UPPER.
/// Input "input" NHWC [N, 112, 112, 3] pixel values 0–255; outputs "age" [N, 1], "gender" [N, 2], "features" [N, 512].
/// Proven against face-api itself in Node (tests/reference/tfjs/run-face-api.js).
/// </summary>
public sealed class FaceApiAgeGenderNet
{
    public const int InputSize = 112;
    public const string Input = "input", AgeOutput = "age", GenderOutput = "gender", FeaturesOutput = "features";
    private static readonly float[] MeanRgb = [122.782f, 117.001f, 104.298f];
    private readonly Dictionary<string, TfjsWeight> _weights;
    private readonly OnnxGraph _graph = new() { Name = "face_api_age_gender" };
    private int _counter;

    private FaceApiAgeGenderNet(Dictionary<string, TfjsWeight> weights) => _weights = weights;

    /// <summary>The network from face-api's weights manifest (the .bin shards beside it).</summary>
    public static OnnxModel Build(string weightsManifest, string docString = "")
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(weightsManifest));
        var weights = TfjsWeightReader.Read(manifest.RootElement, Path.GetDirectoryName(Path.GetFullPath(weightsManifest))!);
        return new FaceApiAgeGenderNet(weights).Build(docString);
    }

    private OnnxModel Build(string docString)
    {
        _graph.Inputs.Add(new OnnxValueInfo(Input, OnnxDataType.Float, [null, InputSize, InputSize, 3]));
        _graph.Initializers.Add(OnnxTensor.FromFloats("mean_rgb", [3], MeanRgb));
        _graph.Initializers.Add(OnnxTensor.FromFloats("pixel_range", [], [255f]));
        var x = Node("Sub", [Input, "mean_rgb"]);
        x = Node("Div", [x, "pixel_range"]);
        x = Node("Transpose", [x], [OnnxAttribute.Of("perm", new long[] { 0, 3, 1, 2 })]);

        x = Node("Relu", [Conv(x, "entry_flow/conv_in", stride: 2)]);
        x = ReductionBlock(x, "entry_flow/reduction_block_0", activateInput: false);
        x = ReductionBlock(x, "entry_flow/reduction_block_1", activateInput: true);
        for (int i = 0; i < 2; i++) x = MainBlock(x, $"middle_flow/main_block_{i}");
        x = ReductionBlock(x, "exit_flow/reduction_block", activateInput: true);
        x = Node("Relu", [SeparableConv(x, "exit_flow/separable_conv")]);

        x = Node("AveragePool", [x], [OnnxAttribute.Of("kernel_shape", new long[] { 7, 7 }), OnnxAttribute.Of("strides", new long[] { 2, 2 })]);
        _graph.Nodes.Add(new OnnxNode("Flatten", "features", [x], [FeaturesOutput], [OnnxAttribute.Of("axis", 1L)]));
        _graph.Nodes.Add(new OnnxNode("Gemm", "fc_age", [FeaturesOutput, Weight("fc/age/weights"), Weight("fc/age/bias")], [AgeOutput], []));
        var genderLogits = Node("Gemm", [FeaturesOutput, Weight("fc/gender/weights"), Weight("fc/gender/bias")]);
        _graph.Nodes.Add(new OnnxNode("Softmax", "gender_softmax", [genderLogits], [GenderOutput], [OnnxAttribute.Of("axis", 1L)]));
        _graph.Outputs.Add(new OnnxValueInfo(AgeOutput, OnnxDataType.Float, [null, 1]));
        _graph.Outputs.Add(new OnnxValueInfo(GenderOutput, OnnxDataType.Float, [null, 2]));
        _graph.Outputs.Add(new OnnxValueInfo(FeaturesOutput, OnnxDataType.Float, [null, 512]));
        return new OnnxModel { Graph = _graph, DocString = docString };
    }

    private string ReductionBlock(string x, string prefix, bool activateInput)
    {
        var y = activateInput ? Node("Relu", [x]) : x;
        y = SeparableConv(y, prefix + "/separable_conv0");
        y = SeparableConv(Node("Relu", [y]), prefix + "/separable_conv1");
        y = Node("MaxPool", [y], [OnnxAttribute.Of("kernel_shape", new long[] { 3, 3 }), OnnxAttribute.Of("strides", new long[] { 2, 2 }),
            OnnxAttribute.Of("auto_pad", "SAME_UPPER")]);
        return Node("Add", [y, Conv(x, prefix + "/expansion_conv", stride: 2)]);
    }

    private string MainBlock(string x, string prefix)
    {
        var y = SeparableConv(Node("Relu", [x]), prefix + "/separable_conv0");
        y = SeparableConv(Node("Relu", [y]), prefix + "/separable_conv1");
        y = SeparableConv(Node("Relu", [y]), prefix + "/separable_conv2");
        return Node("Add", [y, x]);
    }

    /// <summary>TF conv2d, 'same' padding, plus bias; filters [kh, kw, in, out] become [out, in, kh, kw].</summary>
    private string Conv(string x, string prefix, int stride)
    {
        var f = _weights[prefix + "/filters"];
        var (kh, kw, cin, cout) = ((int)f.Shape[0], (int)f.Shape[1], (int)f.Shape[2], (int)f.Shape[3]);
        var w = new float[cout * cin * kh * kw];
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
                for (int c = 0; c < cin; c++)
                    for (int o = 0; o < cout; o++)
                        w[((o * cin + c) * kh + i) * kw + j] = f.Floats![((i * kw + j) * cin + c) * cout + o];
        var name = prefix + "/filters";
        _graph.Initializers.Add(OnnxTensor.FromFloats(name, [cout, cin, kh, kw], w));
        return Node("Conv", [x, name, Weight(prefix + "/bias")],
            [OnnxAttribute.Of("kernel_shape", new long[] { kh, kw }), OnnxAttribute.Of("strides", new long[] { stride, stride }),
                OnnxAttribute.Of("auto_pad", "SAME_UPPER")]);
    }

    /// <summary>TF separableConv2d ('same', stride 1): depthwise [kh, kw, C, 1] then pointwise [1, 1, C, out], then bias.</summary>
    private string SeparableConv(string x, string prefix)
    {
        var d = _weights[prefix + "/depthwise_filter"];
        var (kh, kw, channels) = ((int)d.Shape[0], (int)d.Shape[1], (int)d.Shape[2]);
        var dw = new float[channels * kh * kw];
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
                for (int c = 0; c < channels; c++)
                    dw[(c * kh + i) * kw + j] = d.Floats![(i * kw + j) * channels + c];
        var p = _weights[prefix + "/pointwise_filter"];
        int outputs = (int)p.Shape[3];
        var pw = new float[outputs * channels];
        for (int c = 0; c < channels; c++)
            for (int o = 0; o < outputs; o++)
                pw[o * channels + c] = p.Floats![c * outputs + o];
        _graph.Initializers.Add(OnnxTensor.FromFloats(prefix + "/depthwise_filter", [channels, 1, kh, kw], dw));
        _graph.Initializers.Add(OnnxTensor.FromFloats(prefix + "/pointwise_filter", [outputs, channels, 1, 1], pw));
        var y = Node("Conv", [x, prefix + "/depthwise_filter"],
            [OnnxAttribute.Of("kernel_shape", new long[] { kh, kw }), OnnxAttribute.Of("group", (long)channels), OnnxAttribute.Of("auto_pad", "SAME_UPPER")]);
        return Node("Conv", [y, prefix + "/pointwise_filter", Weight(prefix + "/bias")], [OnnxAttribute.Of("kernel_shape", new long[] { 1, 1 })]);
    }

    /// <summary>A weight as an initializer, in its TF layout (biases and the [in, out] dense matrices Gemm takes as they are).</summary>
    private string Weight(string name)
    {
        var w = _weights.TryGetValue(name, out var found) ? found : throw new InvalidDataException($"face-api weights lack '{name}'.");
        if (!_graph.Initializers.Any(i => i.Name == name)) _graph.Initializers.Add(OnnxTensor.FromFloats(name, w.Shape, w.Floats!));
        return name;
    }

    private string Node(string op, IReadOnlyList<string> inputs, IReadOnlyList<OnnxAttribute>? attributes = null)
    {
        var output = $"{op.ToLowerInvariant()}_{_counter++}";
        _graph.Nodes.Add(new OnnxNode(op, output, inputs, [output], attributes ?? []));
        return output;
    }
}

using FaceAge.Models.Onnx;

namespace FaceAge.Models.Optimization;

/// <summary>
/// Static INT8 quantization in QDQ form. <see cref="Apply"/> needs no calibration data: a Conv is quantized when the
/// range of its input is known before running the model — the graph input (pixels minus means, times scale) or the
/// output of a Clip (relu6 → [0, 6]), carried through layout-only ops. <see cref="ApplyCalibrated"/> takes ranges
/// measured on real inputs instead, for graphs with unbounded activations (UltraFace's ReLUs). Activations become uint8 per
/// tensor, weights int8 per output channel (symmetric; 7 bits where ONNX Runtime would saturate on CPUs
/// without VNNI, see <see cref="Apply"/>), bias int32. A Conv whose output feeds a Clip gets
/// the Clip's range as its output quantization, and the Clip is dropped because saturating to that range
/// is what the Clip did. ONNX Runtime fuses each DequantizeLinear → Conv → QuantizeLinear into QLinearConv.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>Bits of the weights of convolutions that run as matrix products (all but depthwise ones).</summary>
    public const int DefaultWeightBits = 7;

    /// <param name="inputRange">Range of every value of the graph input.</param>
    /// <param name="weightBits">
    /// Weight bits of convolutions that ONNX Runtime runs as u8×s8 matrix products. On CPUs without VNNI these add
    /// pairs of products in 16-bit saturating registers (AVX2 vpmaddubsw): with 7 bits (weights in [−63, 63])
    /// 2 · 255 · 63 = 32,130 never overflows, so every x86-64 CPU computes the same integers; 8 bits are right on
    /// VNNI CPUs only (measured: descriptor cosine 0.94 to float on an AVX2 CPU against 0.99 on VNNI). Depthwise
    /// convolutions always get 8 bits: ONNX Runtime sums them in 32 bits on every CPU, and they lose most from a
    /// coarser grid (7 bits there: cosine 0.91–0.96).
    /// </param>
    public static int Apply(OnnxGraph graph, (float Min, float Max) inputRange, int weightBits = DefaultWeightBits)
    {
        var index = new GraphIndex(graph);
        return Quantize(graph, index, KnownRanges(graph, index, inputRange), calibrated: false, weightBits);
    }

    /// <summary>
    /// Quantizes with activation ranges measured on real inputs (<see cref="ActivationCalibration"/>), for graphs whose
    /// activations are unbounded (ReLU): every Conv whose input range was measured, with its output range from the ReLU
    /// it feeds (the ReLU is dropped: a zero point at 0 saturates the same way) or, for a linear Conv, from its own output.
    /// </summary>
    /// <param name="measured">Ranges by tensor name; the graph input's is <paramref name="inputRange"/>.</param>
    public static int ApplyCalibrated(OnnxGraph graph, (float Min, float Max) inputRange, IReadOnlyDictionary<string, (float Min, float Max)> measured,
        int weightBits = DefaultWeightBits)
    {
        var index = new GraphIndex(graph);
        var ranges = KnownRanges(graph, index, inputRange);
        foreach (var (name, range) in measured) ranges.TryAdd(name, range);
        return Quantize(graph, index, ranges, calibrated: true, weightBits);
    }

    /// <summary>The tensors whose ranges <see cref="ApplyCalibrated"/> can use: inputs and outputs of Convs and the ReLUs they feed.</summary>
    public static IReadOnlyList<string> TensorsToCalibrate(OnnxGraph graph)
    {
        var index = new GraphIndex(graph);
        var names = new List<string>();
        foreach (var conv in graph.Nodes.Where(n => n.OpType == "Conv"))
        {
            if (index.Initializer(conv.Inputs[0]) is null && !graph.Inputs.Any(i => i.Name == conv.Inputs[0])) names.Add(conv.Inputs[0]);
            names.Add(index.SoleConsumer(conv.Outputs[0], "Relu") is { } relu ? relu.Outputs[0] : conv.Outputs[0]);
        }
        return names.Distinct().ToList();
    }

    private static int Quantize(OnnxGraph graph, GraphIndex index, Dictionary<string, (float Min, float Max)> ranges, bool calibrated, int weightBits)
    {
        if (weightBits is < 2 or > 8) throw new ArgumentOutOfRangeException(nameof(weightBits));
        var quantized = new Dictionary<string, string>(StringComparer.Ordinal); // float tensor → its Q→DQ copy
        int count = 0;
        foreach (var conv in graph.Nodes.Where(n => n.OpType == "Conv").ToList())
        {
            if (!ranges.TryGetValue(conv.Inputs[0], out var inRange)) continue;
            if (index.Initializer(conv.Inputs[1]) is not { DataType: OnnxDataType.Float } w) continue;
            // A thin Conv on float values stays float; one on values already int8 stays int8 (leaving would cost a Q and a DQ).
            if (calibrated && IsThin(conv, w) && !quantized.ContainsKey(conv.Inputs[0])) continue;
            // What the quantized output stands for: a Clip's or ReLU's output (which it replaces) or, calibrated, the Conv's own.
            OnnxNode? activation = index.SoleConsumer(conv.Outputs[0], "Clip") ?? (calibrated ? index.SoleConsumer(conv.Outputs[0], "Relu") : null);
            string value = activation?.Outputs[0] ?? conv.Outputs[0];
            if (activation is null && !calibrated) continue;
            if (!ranges.TryGetValue(value, out var outRange)) continue;
            if (activation?.OpType == "Relu") outRange = (0, Math.Max(0, outRange.Max));

            var (xScale, xZero) = Activation(inRange);
            var input = QuantizeDequantize(graph, quantized, conv.Inputs[0], xScale, xZero);
            var (wq, wScales) = Weights(w, IsDepthwise(conv, w) ? 8 : weightBits);
            var wName = ConvFolding.Unique(graph, conv.Inputs[1] + "/q");
            graph.Initializers.Add(new OnnxTensor(wName, OnnxDataType.Int8, w.Dims, wq));
            var weights = Dequantize(graph, conv, wName, wScales, new byte[wScales.Length], OnnxDataType.Int8, conv.Name + "/w");

            var inputs = new List<string> { input, weights };
            if (conv.Inputs.Count > 2 && index.Initializer(conv.Inputs[2]) is { } b)
            {
                var bias = b.ToFloats();
                var bScales = wScales.Select(s => s * xScale).ToArray();
                var bq = new int[bias.Length];
                for (int o = 0; o < bias.Length; o++) bq[o] = (int)Math.Clamp(Math.Round(bias[o] / bScales[o]), int.MinValue, int.MaxValue);
                var bName = ConvFolding.Unique(graph, conv.Inputs[2] + "/q");
                graph.Initializers.Add(OnnxTensor.FromInt32s(bName, b.Dims, bq));
                inputs.Add(Dequantize(graph, conv, bName, bScales, new byte[bq.Length * 4], OnnxDataType.Int32, conv.Name + "/b"));
            }

            // Conv → (activation) becomes Conv → Q → DQ with the value's range, under the value's name.
            var convOut = ConvFolding.Unique(graph, conv.Outputs[0] + "/float");
            int convAt = graph.Nodes.IndexOf(conv);
            graph.Nodes[convAt] = conv with { Inputs = inputs, Outputs = [convOut] };
            var (yScale, yZero) = Activation(outRange);
            int at = convAt + 1;
            if (activation is not null)
            {
                at = graph.Nodes.IndexOf(activation);
                graph.Nodes.RemoveAt(at);
            }
            var qName = ConvFolding.Unique(graph, value + "/q");
            var (sName, zName) = PerTensorParameters(graph, value, yScale, yZero);
            graph.Nodes.Insert(at, new OnnxNode("QuantizeLinear", qName + "__node", [convOut, sName, zName], [qName], []));
            graph.Nodes.Insert(at + 1, new OnnxNode("DequantizeLinear", value + "/dq__node", [qName, sName, zName], [value], []));
            quantized[value] = value; // already a dequantized value: the next Conv reads it directly
            count++;
            index.Rebuild();
        }
        ConvFolding.RemoveUnusedInitializers(graph);
        return count;
    }

    /// <summary>
    /// A Conv whose int8 form ONNX Runtime runs slower than its float one (UltraFace, AVX-512 VNNI, one thread): depthwise
    /// ones (1.5–3× slower) and those reading fewer than 8 channels per filter, e.g. from RGB pixels (2.4× slower).
    /// </summary>
    private static bool IsThin(OnnxNode conv, OnnxTensor w) => IsDepthwise(conv, w) || (w.Dims.Length == 4 && w.Dims[1] < 8);

    /// <summary>One filter per channel (group = channels, one input channel per filter).</summary>
    private static bool IsDepthwise(OnnxNode conv, OnnxTensor w)
        => w.Dims.Length == 4 && w.Dims[0] > 1 && w.Dims[1] == 1 && conv.Attributes.FirstOrDefault(a => a.Name == "group")?.Int == w.Dims[0];

    /// <summary>Tensors whose value range is known without data: the graph input and Clip outputs, through Transpose/Reshape/MaxPool.</summary>
    private static Dictionary<string, (float Min, float Max)> KnownRanges(OnnxGraph graph, GraphIndex index, (float Min, float Max) inputRange)
    {
        var ranges = new Dictionary<string, (float, float)>(StringComparer.Ordinal);
        foreach (var input in graph.Inputs) ranges[input.Name] = inputRange;
        foreach (var node in graph.Nodes)
        {
            if (node.OpType is "Transpose" or "Reshape" or "MaxPool" && ranges.TryGetValue(node.Inputs[0], out var r))
                ranges[node.Outputs[0]] = r;
            else if (node.OpType == "Clip" && node.Inputs.Count == 3
                     && index.Initializer(node.Inputs[1]) is { DataType: OnnxDataType.Float } lo
                     && index.Initializer(node.Inputs[2]) is { DataType: OnnxDataType.Float } hi)
                ranges[node.Outputs[0]] = (lo.ToFloats()[0], hi.ToFloats()[0]);
        }
        return ranges;
    }

    /// <summary>uint8 affine parameters covering [min, max] (widened to include 0 so that zero is exact).</summary>
    internal static (float Scale, byte Zero) Activation((float Min, float Max) range)
    {
        float min = Math.Min(0f, range.Min), max = Math.Max(0f, range.Max);
        float scale = max > min ? (max - min) / 255f : 1f;
        return (scale, (byte)Math.Clamp(Math.Round(-min / scale), 0, 255));
    }

    /// <summary>Symmetric per-output-channel int8 weights and their scales.</summary>
    internal static (byte[] Values, float[] Scales) Weights(OnnxTensor w, int bits)
    {
        var f = w.ToFloats();
        int channels = (int)w.Dims[0], per = f.Length / channels;
        int qmax = (1 << (bits - 1)) - 1;
        var q = new byte[f.Length];
        var scales = new float[channels];
        for (int o = 0; o < channels; o++)
        {
            float absMax = 0;
            for (int k = 0; k < per; k++) absMax = Math.Max(absMax, Math.Abs(f[o * per + k]));
            scales[o] = absMax > 0 ? absMax / qmax : 1f;
            for (int k = 0; k < per; k++)
                q[o * per + k] = unchecked((byte)(sbyte)Math.Clamp(Math.Round(f[o * per + k] / scales[o]), -qmax, qmax));
        }
        return (q, scales);
    }

    private static string QuantizeDequantize(OnnxGraph graph, Dictionary<string, string> done, string tensor, float scale, byte zero)
    {
        if (done.TryGetValue(tensor, out var existing)) return existing;
        var (sName, zName) = PerTensorParameters(graph, tensor, scale, zero);
        var q = ConvFolding.Unique(graph, tensor + "/q");
        var dq = ConvFolding.Unique(graph, tensor + "/dq");
        int at = ProducerPosition(graph, tensor) + 1;
        graph.Nodes.Insert(at, new OnnxNode("QuantizeLinear", q + "__node", [tensor, sName, zName], [q], []));
        graph.Nodes.Insert(at + 1, new OnnxNode("DequantizeLinear", dq + "__node", [q, sName, zName], [dq], []));
        done[tensor] = dq;
        return dq;
    }

    private static int ProducerPosition(OnnxGraph graph, string tensor)
    {
        for (int i = 0; i < graph.Nodes.Count; i++)
            if (graph.Nodes[i].Outputs.Contains(tensor)) return i;
        return -1; // a graph input: insert at the top
    }

    private static (string Scale, string Zero) PerTensorParameters(OnnxGraph graph, string tensor, float scale, byte zero)
    {
        var sName = ConvFolding.Unique(graph, tensor + "/scale");
        graph.Initializers.Add(OnnxTensor.FromFloats(sName, [], [scale]));
        var zName = ConvFolding.Unique(graph, tensor + "/zero_point");
        graph.Initializers.Add(new OnnxTensor(zName, OnnxDataType.UInt8, [], [zero]));
        return (sName, zName);
    }

    /// <summary>A per-channel DequantizeLinear of a constant, placed just before <paramref name="before"/>.</summary>
    private static string Dequantize(OnnxGraph graph, OnnxNode before, string quantized, float[] scales, byte[] zeroRaw, OnnxDataType type, string hint)
    {
        var sName = ConvFolding.Unique(graph, hint + "_scale");
        graph.Initializers.Add(OnnxTensor.FromFloats(sName, [scales.Length], scales));
        var zName = ConvFolding.Unique(graph, hint + "_zero_point");
        graph.Initializers.Add(new OnnxTensor(zName, type, [scales.Length], zeroRaw));
        var output = ConvFolding.Unique(graph, hint + "_dq");
        graph.Nodes.Insert(graph.Nodes.IndexOf(before),
            new OnnxNode("DequantizeLinear", output + "__node", [quantized, sName, zName], [output], [OnnxAttribute.Of("axis", 0L)]));
        return output;
    }
}

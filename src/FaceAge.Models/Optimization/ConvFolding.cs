using FaceAge.Models.Onnx;

namespace FaceAge.Models.Optimization;

/// <summary>
/// Folds what TF.js graphs keep as separate ops into the ONNX ops that can absorb them: a per-channel
/// Mul and Add after a Conv (batch norm) go into the Conv's weights and bias, and Relu → Min(a) → Max(b)
/// (TF's relu6 as clip_by_value) becomes one Clip. The result computes the same function with fewer
/// passes over memory, and gives a quantizer Conv → Clip units whose output range is known.
/// </summary>
public static class ConvFolding
{
    public static int Apply(OnnxGraph graph)
    {
        int folded = 0;
        bool changed = true;
        while (changed)
        {
            changed = false;
            var index = new GraphIndex(graph);
            foreach (var conv in graph.Nodes.Where(n => n.OpType == "Conv").ToList())
            {
                if (TryFoldAffine(graph, index, conv))
                {
                    folded++;
                    changed = true;
                    break;
                }
            }
            if (changed) continue;
            foreach (var relu in graph.Nodes.Where(n => n.OpType == "Relu").ToList())
            {
                if (TryFoldClip(graph, index, relu))
                {
                    folded++;
                    changed = true;
                    break;
                }
            }
        }
        RemoveUnusedInitializers(graph);
        return folded;
    }

    /// <summary>Conv → Mul(per-channel c) or Add(per-channel c) becomes one Conv.</summary>
    private static bool TryFoldAffine(OnnxGraph graph, GraphIndex index, OnnxNode conv)
    {
        var next = index.Consumers(conv.Outputs[0]);
        if (next.Count != 1 || index.IsGraphOutput(conv.Outputs[0])) return false;
        var op = next[0];
        if (op.OpType is not ("Mul" or "Add") || index.ConstantOperand(op) is not { } operand || operand.Other != conv.Outputs[0]) return false;
        if (index.Initializer(conv.Inputs[1]) is not { DataType: OnnxDataType.Float } w) return false;
        int channels = (int)w.Dims[0];
        if (PerChannel(operand.Values, operand.Dims, channels) is not { } c) return false;

        var weights = w.ToFloats();
        var bias = conv.Inputs.Count > 2 && index.Initializer(conv.Inputs[2]) is { } b ? b.ToFloats() : new float[channels];
        int per = weights.Length / channels;
        if (op.OpType == "Mul")
        {
            for (int o = 0; o < channels; o++)
            {
                for (int k = 0; k < per; k++) weights[o * per + k] *= c[o];
                bias[o] *= c[o];
            }
        }
        else
        {
            for (int o = 0; o < channels; o++) bias[o] += c[o];
        }

        var wName = conv.Inputs[1] + "/folded";
        var bName = conv.Name + "/bias_folded";
        graph.Initializers.Add(OnnxTensor.FromFloats(Unique(graph, wName), w.Dims, weights));
        graph.Initializers.Add(OnnxTensor.FromFloats(Unique(graph, bName), [channels], bias));
        var replacement = conv with { Inputs = [conv.Inputs[0], graph.Initializers[^2].Name, graph.Initializers[^1].Name], Outputs = [op.Outputs[0]] };
        graph.Nodes[graph.Nodes.IndexOf(conv)] = replacement;
        graph.Nodes.Remove(op);
        return true;
    }

    /// <summary>Relu → Min(a) → Max(b) becomes Clip(max(0, b), a).</summary>
    private static bool TryFoldClip(OnnxGraph graph, GraphIndex index, OnnxNode relu)
    {
        if (index.SoleConsumer(relu.Outputs[0], "Min") is not { } min || index.ConstantOperand(min) is not { Values.Length: 1 } upper) return false;
        if (index.SoleConsumer(min.Outputs[0], "Max") is not { } max || index.ConstantOperand(max) is not { Values.Length: 1 } lower) return false;
        float lo = Math.Max(0f, lower.Values[0]), hi = upper.Values[0];
        if (lo > hi) return false;
        var loName = Unique(graph, relu.Name + "/clip_min");
        graph.Initializers.Add(OnnxTensor.FromFloats(loName, [], [lo]));
        var hiName = Unique(graph, relu.Name + "/clip_max");
        graph.Initializers.Add(OnnxTensor.FromFloats(hiName, [], [hi]));
        graph.Nodes[graph.Nodes.IndexOf(relu)] = new OnnxNode("Clip", relu.Name, [relu.Inputs[0], loName, hiName], [max.Outputs[0]], []);
        graph.Nodes.Remove(min);
        graph.Nodes.Remove(max);
        return true;
    }

    /// <summary>The constant as one value per output channel, when it broadcasts that way ([1,C,1,1], [C,1,1] or a scalar).</summary>
    private static float[]? PerChannel(float[] values, long[] dims, int channels)
    {
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        if (values.Length != channels) return null;
        // A rank-1 [C] would broadcast along W of an NCHW tensor, not along channels.
        bool channelAxis = (dims.Length == 4 && dims[0] == 1 && dims[1] == channels && dims[2] == 1 && dims[3] == 1)
                           || (dims.Length == 3 && dims[0] == channels && dims[1] == 1 && dims[2] == 1);
        return channelAxis ? values : null;
    }

    internal static string Unique(OnnxGraph graph, string name)
    {
        var used = graph.Initializers.Select(t => t.Name).Concat(graph.Nodes.SelectMany(n => n.Outputs)).ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (int k = 2; used.Contains(candidate); k++) candidate = $"{name}__{k}";
        return candidate;
    }

    internal static void RemoveUnusedInitializers(OnnxGraph graph)
    {
        var used = graph.Nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        graph.Initializers.RemoveAll(t => !used.Contains(t.Name));
    }
}

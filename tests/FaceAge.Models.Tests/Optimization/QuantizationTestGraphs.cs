using FaceAge.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Tests.Optimization;

/// <summary>Small NCHW conv graphs shaped like the converter's output, and a way to run them.</summary>
internal static class QuantizationTestGraphs
{
    public static float[] Random(int count, int seed, float min, float max)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(min + r.NextDouble() * (max - min))).ToArray();
    }

    /// <summary>Conv (no bias) → Mul(per-channel) → Add(per-channel) → Relu → Min(6) → Max(0), as TF.js batch norm + relu6 come out.</summary>
    public static void AddTfStyleBlock(OnnxGraph g, string input, string output, int inChannels, int outChannels, int seed)
    {
        g.Initializers.Add(OnnxTensor.FromFloats($"{output}_w", [outChannels, inChannels, 3, 3], Random(outChannels * inChannels * 9, seed, -0.5f, 0.5f)));
        g.Initializers.Add(OnnxTensor.FromFloats($"{output}_scale", [1, outChannels, 1, 1], Random(outChannels, seed + 1, 0.5f, 1.5f)));
        g.Initializers.Add(OnnxTensor.FromFloats($"{output}_shift", [1, outChannels, 1, 1], Random(outChannels, seed + 2, -0.3f, 0.3f)));
        g.Initializers.Add(OnnxTensor.FromFloats($"{output}_six", [1, 1, 1, 1], [6f]));
        g.Initializers.Add(OnnxTensor.FromFloats($"{output}_zero", [1, 1, 1, 1], [0f]));
        g.Nodes.Add(new OnnxNode("Conv", $"{output}_conv", [input, $"{output}_w"], [$"{output}_c"],
            [OnnxAttribute.Of("kernel_shape", new long[] { 3, 3 }), OnnxAttribute.Of("pads", new long[] { 1, 1, 1, 1 })]));
        g.Nodes.Add(new OnnxNode("Mul", $"{output}_mul", [$"{output}_c", $"{output}_scale"], [$"{output}_m"], []));
        g.Nodes.Add(new OnnxNode("Add", $"{output}_add", [$"{output}_m", $"{output}_shift"], [$"{output}_a"], []));
        g.Nodes.Add(new OnnxNode("Relu", $"{output}_relu", [$"{output}_a"], [$"{output}_r"], []));
        g.Nodes.Add(new OnnxNode("Min", $"{output}_min", [$"{output}_r", $"{output}_six"], [$"{output}_n"], []));
        g.Nodes.Add(new OnnxNode("Max", $"{output}_max", [$"{output}_n", $"{output}_zero"], [output], []));
    }

    /// <summary>x [1,3,16,16] → block → block → y.</summary>
    public static OnnxGraph TwoBlocks()
    {
        var g = new OnnxGraph { Name = "blocks" };
        g.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [1, 3, 16, 16], null));
        g.Outputs.Add(new OnnxValueInfo("y", OnnxDataType.Float, null));
        AddTfStyleBlock(g, "x", "h", 3, 8, 1);
        AddTfStyleBlock(g, "h", "y", 8, 4, 11);
        return g;
    }

    /// <summary>
    /// x [1,3,16,16] → Conv 3→8 (3×3) → Relu → Conv 8→8 (1×1) → Relu → depthwise Conv 8 (3×3) → Relu → Conv 8→4 (1×1, no
    /// activation) → y, with biases: the shape of UltraFace's layers, whose ReLU outputs have no bound known in advance.
    /// </summary>
    public static OnnxGraph ReluChain()
    {
        var g = new OnnxGraph { Name = "relu-chain" };
        g.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [1, 3, 16, 16], null));
        g.Outputs.Add(new OnnxValueInfo("y", OnnxDataType.Float, null));
        void Conv(string name, string input, string output, int inC, int outC, int k, int group, int seed)
        {
            g.Initializers.Add(OnnxTensor.FromFloats($"{name}_w", [outC, inC / group, k, k], Random(outC * inC / group * k * k, seed, -0.6f, 0.6f)));
            g.Initializers.Add(OnnxTensor.FromFloats($"{name}_b", [outC], Random(outC, seed + 1, -0.2f, 0.2f)));
            long p = k / 2;
            g.Nodes.Add(new OnnxNode("Conv", name, [input, $"{name}_w", $"{name}_b"], [output],
                [OnnxAttribute.Of("kernel_shape", new long[] { k, k }), OnnxAttribute.Of("pads", new long[] { p, p, p, p }),
                    OnnxAttribute.Of("group", (long)group)]));
        }
        Conv("a", "x", "a_c", 3, 8, 3, 1, 21);
        g.Nodes.Add(new OnnxNode("Relu", "a_relu", ["a_c"], ["a_r"], []));
        Conv("b", "a_r", "b_c", 8, 8, 1, 1, 31);
        g.Nodes.Add(new OnnxNode("Relu", "b_relu", ["b_c"], ["b_r"], []));
        Conv("d", "b_r", "d_c", 8, 8, 3, 8, 41);
        g.Nodes.Add(new OnnxNode("Relu", "d_relu", ["d_c"], ["d_r"], []));
        Conv("c", "d_r", "y", 8, 4, 1, 1, 51);
        return g;
    }

    public static float[] Run(OnnxGraph graph, float[] x)
    {
        using var session = new InferenceSession(OnnxWriter.ToBytes(new OnnxModel { Graph = graph }));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [1, 3, 16, 16]))]);
        return results.Single().AsTensor<float>().ToArray();
    }
}

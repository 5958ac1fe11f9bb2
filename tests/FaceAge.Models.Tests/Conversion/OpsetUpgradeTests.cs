using FaceAge.Models.Conversion;
using FaceAge.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Tests.Conversion;

public class OpsetUpgradeTests
{
    /// <summary>x [2, 3, 4] → Unsqueeze(axes [0]) → [1, 2, 3, 4] → Softmax(axis 2) → y, written for opset 9.</summary>
    private static OnnxModel Opset9Model()
    {
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [2, 3, 4], null));
        graph.Outputs.Add(new OnnxValueInfo("y", OnnxDataType.Float, null, null));
        graph.Nodes.Add(new OnnxNode("Unsqueeze", "unsqueeze", ["x"], ["u"], [OnnxAttribute.Of("axes", new long[] { 0 })]));
        // Before opset 13 this normalizes over the last two dimensions together (3 × 4 values), not over dimension 2 alone.
        graph.Nodes.Add(new OnnxNode("Softmax", "softmax", ["u"], ["y"], [OnnxAttribute.Of("axis", 2L)]));
        return new OnnxModel { Graph = graph, Opset = 9 };
    }

    private static (float[] Values, int[] Dims) Run(OnnxModel model, float[] x)
    {
        using var session = new InferenceSession(OnnxWriter.ToBytes(model));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [2, 3, 4]))]);
        var y = results.Single().AsTensor<float>();
        return (y.ToArray(), y.Dimensions.ToArray());
    }

    [Fact]
    public void An_opset_9_graph_computes_the_same_at_opset_13()
    {
        var model = Opset9Model();
        var x = Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i)).ToArray();
        var before = Run(model, x);
        Assert.Equal(1f, before.Values.Take(12).Sum(), 4); // one softmax over 12 values

        int rewritten = OpsetUpgrade.Apply(model);

        Assert.Equal(2, rewritten);
        Assert.Equal(13, model.Opset);
        Assert.Equal(2, model.Graph.Nodes.Single(n => n.OpType == "Unsqueeze").Inputs.Count); // axes became an input
        var after = Run(model, x);
        Assert.Equal(before.Dims, after.Dims);
        Assert.Equal(before.Values.Length, after.Values.Length);
        Assert.True(before.Values.Zip(after.Values).All(p => Math.Abs(p.First - p.Second) < 1e-6f));
    }

    [Fact]
    public void An_op_whose_meaning_changed_and_is_not_rewritten_is_an_error_naming_it()
    {
        var model = Opset9Model();
        model.Graph.Nodes.Add(new OnnxNode("Upsample", "grow", ["y"], ["z"], [OnnxAttribute.Of("mode", "nearest")]));
        var e = Assert.Throws<InvalidDataException>(() => OpsetUpgrade.Apply(model));
        Assert.Contains("'grow' (Upsample)", e.Message);
    }

    [Fact]
    public void A_graph_at_opset_13_is_left_alone()
    {
        var model = Opset9Model();
        model.Opset = 13;
        model.Graph.Nodes.RemoveAt(0);
        Assert.Equal(0, OpsetUpgrade.Apply(model));
    }
}

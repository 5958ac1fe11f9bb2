using FaceAge.Models.Onnx;
using FaceAge.Models.Optimization;
using static FaceAge.Models.Tests.Optimization.QuantizationTestGraphs;

namespace FaceAge.Models.Tests.Optimization;

public class ConvFoldingTests
{
    [Fact]
    public void Batch_norm_and_relu6_fold_into_conv_and_clip_without_changing_the_output()
    {
        var x = Random(3 * 16 * 16, 5, -2, 2);
        var graph = TwoBlocks();
        var before = Run(graph, x);

        int folded = ConvFolding.Apply(graph);

        Assert.Equal(6, folded); // per block: Mul, Add, Relu+Min+Max
        Assert.Equal(["Conv", "Clip", "Conv", "Clip"], graph.Nodes.Select(n => n.OpType));
        var after = Run(graph, x);
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++) Assert.True(Math.Abs(before[i] - after[i]) <= 1e-5 * Math.Max(1, Math.Abs(before[i])),
            $"value {i}: {before[i]} vs {after[i]}");
        Assert.Contains(before, v => v is > 0 and < 6); // the test data exercises the unclipped range
    }

    [Fact]
    public void A_conv_output_that_is_also_read_elsewhere_is_not_folded()
    {
        var graph = TwoBlocks();
        graph.Outputs.Add(new OnnxValueInfo("h_c", OnnxDataType.Float, null)); // the raw conv output is needed as is
        ConvFolding.Apply(graph);
        Assert.Contains(graph.Nodes, n => n.OpType == "Mul" && n.Inputs.Contains("h_c"));
    }
}

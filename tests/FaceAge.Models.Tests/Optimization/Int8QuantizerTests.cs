using FaceAge.Models.Onnx;
using FaceAge.Models.Optimization;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using static FaceAge.Models.Tests.Optimization.QuantizationTestGraphs;

namespace FaceAge.Models.Tests.Optimization;

public class Int8QuantizerTests(ITestOutputHelper output)
{
    /// <summary>The same bounds on every x86-64 CPU: the default weight bits never saturate ONNX Runtime's AVX2 int8 kernels.</summary>
    [Fact]
    public void Convs_with_known_input_ranges_become_qdq_and_stay_close_to_float()
    {
        output.WriteLine($"CPU: {FaceAge.Core.Inference.CpuFeatures.Current}");
        var x = Random(3 * 16 * 16, 5, -2, 2);
        var graph = TwoBlocks();
        ConvFolding.Apply(graph);
        var reference = Run(graph, x);

        int quantized = Int8Quantizer.Apply(graph, (-2f, 2f));

        Assert.Equal(2, quantized);
        Assert.DoesNotContain(graph.Nodes, n => n.OpType == "Clip"); // saturating to [0, 6] replaces them
        Assert.Equal(3, graph.Nodes.Count(n => n.OpType == "QuantizeLinear")); // input, and each block's output
        Assert.Contains(graph.Initializers, t => t.DataType == OnnxDataType.Int8);
        Assert.Contains(graph.Initializers, t => t.DataType == OnnxDataType.Int32); // biases
        var q = Run(graph, x);
        double worst = reference.Zip(q, (a, b) => Math.Abs(a - b)).Max();
        double mean = reference.Zip(q, (a, b) => Math.Abs(a - b)).Average();
        // One output step is 6/255 ≈ 0.024; errors of the input and the 7-bit weights add a few more.
        output.WriteLine($"worst error {worst:0.0000}, mean {mean:0.0000}");
        Assert.True(worst < 0.2, $"worst error {worst}");
        Assert.True(mean < 0.03, $"mean error {mean}");
        Assert.True(q.All(v => v is >= 0 and <= 6));
    }

    [Fact]
    public void Conv_whose_input_range_is_unknown_stays_float()
    {
        var graph = TwoBlocks();
        ConvFolding.Apply(graph);
        // Put a Sigmoid between the blocks: its output range is not tracked, so the second conv keeps float input.
        var second = graph.Nodes.Last(n => n.OpType == "Conv");
        graph.Nodes.Insert(graph.Nodes.IndexOf(second), new OnnxNode("Sigmoid", "sig", ["h"], ["h_sig"], []));
        graph.Nodes[graph.Nodes.IndexOf(second)] = second with { Inputs = ["h_sig", .. second.Inputs.Skip(1)] };

        Assert.Equal(1, Int8Quantizer.Apply(graph, (-2f, 2f)));
        var x = Random(3 * 16 * 16, 5, -2, 2);
        Assert.Equal(4 * 16 * 16, Run(graph, x).Length); // still a valid model
    }

    [Fact]
    public void Convs_with_measured_ranges_become_qdq_except_a_thin_one_on_float_values()
    {
        output.WriteLine($"CPU: {FaceAge.Core.Inference.CpuFeatures.Current}");
        var graph = ReluChain();
        var inputs = Enumerable.Range(0, 8).Select(k => new DenseTensor<float>(Random(3 * 16 * 16, 100 + k, -1, 1), [1, 3, 16, 16])).ToList();
        var model = new OnnxModel { Graph = graph };
        var ranges = ActivationCalibration.Measure(model, Int8Quantizer.TensorsToCalibrate(graph), inputs);
        Assert.Equal(0, ranges["b_r"].Min); // a ReLU's output
        Assert.True(ranges["y"].Min < 0 && ranges["y"].Max > 0, "the linear output's range is measured on both sides");
        var x = Random(3 * 16 * 16, 7, -1, 1); // not one of the calibration inputs
        var reference = Run(graph, x);

        int quantized = Int8Quantizer.ApplyCalibrated(graph, (-1f, 1f), ranges);

        // The 3-channel Conv reads float pixels and stays float (ONNX Runtime's int8 form of it is slower); the pointwise,
        // depthwise (its input is already int8) and linear output Convs are quantized.
        Assert.Equal(3, quantized);
        Assert.Equal(["a_relu"], graph.Nodes.Where(n => n.OpType == "Relu").Select(n => n.Name));
        Assert.Equal(4, graph.Nodes.Count(n => n.OpType == "QuantizeLinear")); // b's input, and the outputs of b, d and c
        var q = Run(graph, x);
        double worst = reference.Zip(q, (a, b) => Math.Abs(a - b)).Max();
        double mean = reference.Zip(q, (a, b) => Math.Abs(a - b)).Average();
        double span = reference.Max() - reference.Min();
        output.WriteLine($"output span {span:0.000}; worst error {worst:0.0000}, mean {mean:0.0000}");
        Assert.True(worst < 0.05 * span, $"worst error {worst} of a span {span}");
        Assert.True(mean < 0.01 * span, $"mean error {mean} of a span {span}");
    }

    [Theory]
    [InlineData(1.0f, 1.0f)]
    [InlineData(1.03f, 1.0625f)]   // 5 significant bits, away from zero
    [InlineData(-0.3f, -0.3125f)]
    [InlineData(0f, 0f)]
    [InlineData(6.0f, 6.0f)]
    public void Measured_ranges_are_widened_to_a_coarse_grid(float measured, float kept)
        => Assert.Equal(kept, ActivationCalibration.Outward(measured));

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void Weight_bits_outside_2_to_8_are_rejected(int bits)
        => Assert.Throws<ArgumentOutOfRangeException>(() => Int8Quantizer.Apply(TwoBlocks(), (0f, 1f), bits));
}

using FaceAge.Models.Conversion;
using FaceAge.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Tests.Conversion;

public class OnnxGraphCutTests
{
    /// <summary>x [1, 1, 4, 4] → conv (×2) → "features"; features + a constant the size of a 4×4 input → "decoded".</summary>
    private static OnnxGraph FixedSizeGraph()
    {
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [1, 1, 4, 4], null));
        graph.Outputs.Add(new OnnxValueInfo("decoded", OnnxDataType.Float, [1, 1, 4, 4], null));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [1, 1, 1, 1], [2f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("anchors", [1, 1, 4, 4], Enumerable.Range(0, 16).Select(i => (float)i).ToArray()));
        graph.Nodes.Add(new OnnxNode("Conv", "conv", ["x", "w"], ["7"], []));
        graph.Nodes.Add(new OnnxNode("Add", "decode", ["7", "anchors"], ["decoded"], []));
        return graph;
    }

    [Fact]
    public void An_inner_tensor_becomes_a_named_output_and_the_input_takes_any_size()
    {
        var graph = FixedSizeGraph();
        int removed = OnnxGraphCut.Apply(graph, [1, 1, -1, -1], ["features=7"]);

        Assert.Equal(1, removed);
        Assert.Equal(["conv"], graph.Nodes.Select(n => n.Name));
        Assert.Equal(["w"], graph.Initializers.Select(t => t.Name)); // the size-bound constant went with its node
        using var session = new InferenceSession(OnnxWriter.ToBytes(new OnnxModel { Graph = graph }));
        var x = new DenseTensor<float>(Enumerable.Range(0, 6 * 10).Select(i => (float)i).ToArray(), [1, 1, 6, 10]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
        var features = results.Single(r => r.Name == "features").AsTensor<float>();
        Assert.Equal([1, 1, 6, 10], features.Dimensions.ToArray());
        Assert.Equal(x.ToArray().Select(v => 2 * v), features.ToArray());
    }

    [Fact]
    public void A_kept_output_loses_the_sizes_of_the_one_input_size_the_file_was_made_for()
    {
        var graph = FixedSizeGraph();
        OnnxGraphCut.Apply(graph, [1, 1, -1, -1], ["decoded"]);
        Assert.Equal([null, null, null, null], graph.Outputs.Single().Shape!); // the runtime would warn on every other size

        var fixedSize = FixedSizeGraph();
        OnnxGraphCut.Apply(fixedSize, [1, 1, 4, 4], ["decoded"]);
        Assert.Equal([1L, 1L, 4L, 4L], fixedSize.Outputs.Single().Shape!);
    }

    [Fact]
    public void An_output_no_node_produces_is_an_error_naming_it()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraphCut.Apply(FixedSizeGraph(), [1, 1, -1, -1], ["features=99"]));
        Assert.Contains("'99'", e.Message);
    }

    [Fact]
    public void An_input_shape_of_another_rank_is_an_error()
        => Assert.Throws<InvalidDataException>(() => OnnxGraphCut.Apply(FixedSizeGraph(), [1, -1, -1], ["decoded"]));
}

using FaceAge.Models.Onnx;
using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Models.Tests.Onnx;

public class OnnxReaderTests
{
    [Fact]
    public void A_written_model_reads_back_with_its_nodes_attributes_tensors_and_shapes()
    {
        var graph = new OnnxGraph { Name = "g" };
        graph.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [null, 3, 8, 8]));
        graph.Outputs.Add(new OnnxValueInfo("y", OnnxDataType.Float, null, null));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [2, 3, 1, 1], [1, 2, 3, 4, 5, 6]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("shape", [2], [-1, 128]));
        graph.Nodes.Add(new OnnxNode("Conv", "conv", ["x", "w"], ["c"],
            [OnnxAttribute.Of("kernel_shape", new long[] { 1, 1 }), OnnxAttribute.Of("group", 1L)]));
        graph.Nodes.Add(new OnnxNode("LeakyRelu", "act", ["c"], ["a"], [OnnxAttribute.Of("alpha", 0.25f)]));
        graph.Nodes.Add(new OnnxNode("Constant", "k", [], ["two"], [new OnnxAttribute { Name = "value", Tensor = OnnxTensor.FromFloats("", [], [2f]) }]));
        graph.Nodes.Add(new OnnxNode("Mul", "mul", ["a", "two"], ["m"], []));
        graph.Nodes.Add(new OnnxNode("Reshape", "flat", ["m", "shape"], ["y"], []));
        var model = new OnnxModel { Graph = graph, Opset = 11, DocString = "doc" };
        model.Metadata["k"] = "v";

        var read = OnnxReader.Read(OnnxWriter.ToBytes(model));

        Assert.Equal(11, read.Opset);
        Assert.Equal("doc", read.DocString);
        Assert.Equal("v", read.Metadata["k"]);
        Assert.Equal(graph.Nodes.Select(n => (n.OpType, n.Name, string.Join(',', n.Inputs), string.Join(',', n.Outputs))),
            read.Graph.Nodes.Select(n => (n.OpType, n.Name, string.Join(',', n.Inputs), string.Join(',', n.Outputs))));
        Assert.Equal(new long[] { 1, 1 }, read.Graph.Nodes[0].Attributes.Single(a => a.Name == "kernel_shape").Ints);
        Assert.Equal(1L, read.Graph.Nodes[0].Attributes.Single(a => a.Name == "group").Int);
        Assert.Equal(0.25f, read.Graph.Nodes[1].Attributes.Single().Float);
        Assert.Equal([2f], read.Graph.Nodes[2].Attributes.Single().Tensor!.ToFloats());
        Assert.Equal([1f, 2, 3, 4, 5, 6], read.Graph.Initializers[0].ToFloats());
        Assert.Equal([-1L, 128], read.Graph.Initializers[1].ToInt64s());
        Assert.Equal(new long?[] { null, 3, 8, 8 }, read.Graph.Inputs.Single().Shape);
        // Written again, it still runs.
        using var session = new InferenceSession(OnnxWriter.ToBytes(read));
        Assert.Equal([-1, 3, 8, 8], session.InputMetadata["x"].Dimensions);
    }

    [Fact]
    public void The_npm_UltraFace_file_reads_with_every_node_and_weight()
    {
        var path = Path.Combine(RepoPaths.Models, "cache", "src", "faceplugin-face-recognition-js-0.0.1", "model", "fr_detect.onnx");
        var model = OnnxReader.ReadFile(path);
        Assert.Equal(9, model.Opset);
        Assert.Equal(175, model.Graph.Nodes.Count);
        Assert.Equal(["scores", "boxes"], model.Graph.Outputs.Select(o => o.Name));
        Assert.Equal(new long?[] { 1, 3, 240, 320 }, model.Graph.Inputs.Single().Shape);
        long weights = model.Graph.Initializers.Where(t => t.DataType == OnnxDataType.Float).Sum(t => t.RawData.Length / 4);
        Assert.InRange(weights, 250_000, 450_000); // RFB-320 has about 0.3 M parameters
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"faceage-not-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => OnnxReader.ReadFile(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using FaceAge.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Tests.Onnx;

public class OnnxWriterTests
{
    [Fact]
    public void Written_model_loads_in_onnx_runtime_and_computes_its_graph()
    {
        // y = Relu(x · W + b) with a symbolic batch, plus metadata.
        var graph = new OnnxGraph { Name = "tiny" };
        graph.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [null, 2]));
        graph.Outputs.Add(new OnnxValueInfo("y", OnnxDataType.Float, null));
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [2, 3], [1, 0, -1, 0, 1, 1]));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [3], [0.5f, -10, 0]));
        graph.Nodes.Add(new OnnxNode("Gemm", "gemm", ["x", "W", "b"], ["z"], [OnnxAttribute.Of("alpha", 1f), OnnxAttribute.Of("transB", 0L)]));
        graph.Nodes.Add(new OnnxNode("Relu", "relu", ["z"], ["y"], []));
        var model = new OnnxModel { Graph = graph, DocString = "test" };
        model.Metadata["faceage.test"] = "yes";

        using var session = new InferenceSession(OnnxWriter.ToBytes(model));
        Assert.Equal("yes", session.ModelMetadata.CustomMetadataMap["faceage.test"]);
        var x = new DenseTensor<float>(new float[] { 1, 2, 3, -4 }, [2, 2]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
        var y = results.Single().AsTensor<float>().ToArray();
        // row 1: [1, 2]·W = [1, 2, 1] + b = [1.5, −8, 1] → relu [1.5, 0, 1]
        // row 2: [3, −4]·W = [3, −4, −7] + b = [3.5, −14, −7] → relu [3.5, 0, 0]
        Assert.Equal([1.5f, 0, 1, 3.5f, 0, 0], y);
    }

    [Fact]
    public void Tensor_with_wrong_value_count_is_rejected()
        => Assert.Throws<ArgumentException>(() => OnnxTensor.FromFloats("t", [2, 2], [1, 2, 3]));
}

using FaceAge.Models.Onnx;
using FaceAge.Models.Optimization;

namespace FaceAge.Models.Conversion;

/// <summary>
/// Raises a third-party graph to opset 13, which FaceAge's int8 form needs (per-channel DequantizeLinear). Only the ops
/// whose meaning changed between opsets 7 and 13 in ways FaceAge can rewrite are handled: Unsqueeze and Squeeze take
/// their axes as an input, and Softmax/LogSoftmax/Hardmax keep their old "flatten at the axis" meaning through an
/// explicit Flatten and Reshape. Any other op whose attributes became inputs is an error naming it, not a silent change.
/// </summary>
public static class OpsetUpgrade
{
    public const long Target = 13;

    // Ops whose signature changed before 13 and are not rewritten here.
    private static readonly HashSet<string> Unsupported =
        ["Upsample", "Resize", "Slice", "Split", "Pad", "Clip", "TopK", "ReduceSum", "Dropout", "BatchNormalization", "Scan", "Loop", "If"];

    /// <returns>How many nodes were rewritten.</returns>
    public static int Apply(OnnxModel model)
    {
        if (model.Opset >= Target) return 0;
        if (model.Opset < 7) throw new InvalidDataException($"opset {model.Opset} is older than FaceAge can upgrade (7 and later).");
        var graph = model.Graph;
        int rewritten = 0;
        var nodes = new List<OnnxNode>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            if (Unsupported.Contains(node.OpType))
                throw new InvalidDataException($"node '{node.Name}' ({node.OpType}) changed meaning between opset {model.Opset} and {Target}; FaceAge does "
                    + "not rewrite it.");
            switch (node.OpType)
            {
                case "Unsqueeze" or "Squeeze" when node.Attributes.FirstOrDefault(a => a.Name == "axes") is { Ints: { } axes }:
                {
                    var axesName = ConvFolding.Unique(graph, node.Outputs[0] + "/axes");
                    graph.Initializers.Add(OnnxTensor.FromInt64s(axesName, [axes.Length], axes));
                    nodes.Add(node with { Inputs = [node.Inputs[0], axesName], Attributes = node.Attributes.Where(a => a.Name != "axes").ToList() });
                    rewritten++;
                    break;
                }
                case "Softmax" or "LogSoftmax" or "Hardmax" when (node.Attributes.FirstOrDefault(a => a.Name == "axis")?.Int ?? 1) != -1:
                {
                    // Before 13: the input is seen as 2-D, [product of dims before axis, product of the rest].
                    long axis = node.Attributes.FirstOrDefault(a => a.Name == "axis")?.Int ?? 1;
                    string x = node.Inputs[0], y = node.Outputs[0];
                    string shape = ConvFolding.Unique(graph, y + "/shape"), flat = ConvFolding.Unique(graph, y + "/flat"),
                        soft = ConvFolding.Unique(graph, y + "/2d");
                    nodes.Add(new OnnxNode("Shape", shape + "__node", [x], [shape], []));
                    nodes.Add(new OnnxNode("Flatten", flat + "__node", [x], [flat], [OnnxAttribute.Of("axis", axis)]));
                    nodes.Add(node with { Inputs = [flat], Outputs = [soft], Attributes = [OnnxAttribute.Of("axis", -1L)] });
                    nodes.Add(new OnnxNode("Reshape", y + "/reshape__node", [soft, shape], [y], []));
                    rewritten++;
                    break;
                }
                default:
                    nodes.Add(node);
                    break;
            }
        }
        graph.Nodes.Clear();
        graph.Nodes.AddRange(nodes);
        model.Opset = Target;
        return rewritten;
    }
}

using FaceAge.Models.Onnx;
using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Conversion;

public delegate void OpConverter(ConversionContext context, TfjsNode node);

/// <summary>
/// What to convert: which TF tensors become ONNX outputs (default: the model signature, else the graph sinks). A name
/// ending in "#mean" outputs that NHWC tensor averaged over height and width (a feature vector from an inner block).
/// </summary>
public sealed record ConversionOptions(IReadOnlyList<string>? Outputs = null, string GraphName = "faceage", string DocString = "");

/// <summary>
/// Converts a TF.js graph model into an ONNX model (opset 13). Inputs keep the TF layout (NHWC) and
/// outputs keep TF shapes, so the ONNX model is a drop-in for the original.
/// </summary>
public static class TfjsToOnnxConverter
{
    public const string PooledSuffix = "#mean";
    private static readonly Dictionary<string, OpConverter> Ops = BuildOps();

    /// <summary>TF.js ops this converter handles.</summary>
    public static IReadOnlyCollection<string> SupportedOps => Ops.Keys.Concat(["Const", "Placeholder", "NoOp"]).Order().ToArray();

    private static Dictionary<string, OpConverter> BuildOps()
    {
        var ops = new Dictionary<string, OpConverter>(StringComparer.Ordinal);
        SpatialOps.Register(ops);
        ElementwiseOps.Register(ops);
        TensorOps.Register(ops);
        return ops;
    }

    /// <summary>Ops of the model that this converter cannot handle (empty when it converts).</summary>
    public static IReadOnlyList<string> UnsupportedOps(TfjsGraphModel model)
        => model.Nodes.Select(n => n.Op).Distinct().Where(op => op is not ("Const" or "Placeholder" or "NoOp") && !Ops.ContainsKey(op)).Order().ToList();

    public static OnnxModel Convert(TfjsGraphModel model, ConversionOptions? options = null)
    {
        options ??= new ConversionOptions();
        var unsupported = UnsupportedOps(model);
        if (unsupported.Count > 0)
            throw new NotSupportedException($"The model uses ops the converter does not support: {string.Join(", ", unsupported)}.");

        var ctx = new ConversionContext();
        ctx.Graph.Name = options.GraphName;

        foreach (var node in TopologicalOrder(model.Nodes))
        {
            switch (node.Op)
            {
                case "NoOp":
                    continue;
                case "Const":
                    var weight = model.Weights.TryGetValue(node.Name, out var w)
                        ? w
                        : throw new InvalidDataException($"Const node '{node.Name}' has no weight in the weight manifest.");
                    ctx.Bind(node.Name, new TensorRef(node.Name, Layout.Native, weight.Shape.Length, ConstValue.From(weight)));
                    continue;
                case "Placeholder":
                    var shape = node.GetShape("shape");
                    ctx.Graph.Inputs.Add(new OnnxValueInfo(node.Name, OnnxDataType.Float, shape.Select(d => d < 0 ? (long?)null : d).ToList()));
                    ctx.UniqueName(node.Name);
                    ctx.Bind(node.Name, new TensorRef(node.Name, Layout.Native, shape.Length));
                    continue;
                default:
                    try
                    {
                        Ops[node.Op](ctx, node);
                    }
                    catch (Exception e) when (e is not NotSupportedException)
                    {
                        throw new InvalidDataException($"Converting node '{node.Name}' ({node.Op}) failed: {e.Message}", e);
                    }
                    continue;
            }
        }

        var outputs = options.Outputs is { Count: > 0 } requested ? requested
            : model.SignatureOutputs.Count > 0 ? model.SignatureOutputs
            : Sinks(model.Nodes);
        foreach (var name in outputs)
        {
            bool pooled = name.EndsWith(PooledSuffix, StringComparison.Ordinal);
            var tensor = ctx.Get(pooled ? name[..^PooledSuffix.Length] : name);
            var native = ctx.AsNative(tensor);
            var outName = ctx.UniqueName(name + ":0");
            if (pooled) ctx.AddNode("ReduceMean", name + "/output", [native], [OnnxAttribute.Of("axes", new long[] { 1, 2 }), OnnxAttribute.Of("keepdims", 0L)],
                outName);
            else ctx.AddNode("Identity", name + "/output", [native], output: outName);
            ctx.Graph.Outputs.Add(new OnnxValueInfo(outName, OnnxDataType.Float, null));
        }

        var result = new OnnxModel { Graph = ctx.Graph, DocString = options.DocString };
        return result;
    }

    private static IReadOnlyList<string> Sinks(IReadOnlyList<TfjsNode> nodes)
    {
        var consumed = nodes.SelectMany(n => n.Inputs).Select(i => i.Split(':')[0]).ToHashSet();
        return nodes.Where(n => n.Op is not ("Const" or "NoOp" or "Placeholder") && !consumed.Contains(n.Name)).Select(n => n.Name).ToList();
    }

    /// <summary>Nodes in dependency order (the JSON order is not guaranteed to be topological).</summary>
    private static List<TfjsNode> TopologicalOrder(IReadOnlyList<TfjsNode> nodes)
    {
        var byName = nodes.ToDictionary(n => n.Name);
        var state = new Dictionary<string, int>(); // 1 = visiting, 2 = done
        var order = new List<TfjsNode>(nodes.Count);
        foreach (var root in nodes)
        {
            if (state.ContainsKey(root.Name)) continue;
            var stack = new Stack<(TfjsNode Node, int Next)>();
            stack.Push((root, 0));
            state[root.Name] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Count)
                {
                    stack.Push((node, next + 1));
                    var dep = node.Inputs[next].Split(':')[0];
                    if (!byName.TryGetValue(dep, out var depNode))
                        throw new InvalidDataException($"Node '{node.Name}' reads '{dep}', which is not in the graph.");
                    if (!state.TryGetValue(dep, out var s))
                    {
                        state[dep] = 1;
                        stack.Push((depNode, 0));
                    }
                    else if (s == 1) throw new InvalidDataException($"The graph has a cycle through '{dep}'.");
                }
                else
                {
                    state[node.Name] = 2;
                    order.Add(node);
                }
            }
        }
        return order;
    }
}

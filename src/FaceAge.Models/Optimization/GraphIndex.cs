using FaceAge.Models.Onnx;

namespace FaceAge.Models.Optimization;

/// <summary>Lookups over an <see cref="OnnxGraph"/> for rewriting passes: initializers by name, producer and consumers of a tensor.</summary>
internal sealed class GraphIndex
{
    private readonly OnnxGraph _graph;
    private Dictionary<string, OnnxTensor> _initializers = [];
    private Dictionary<string, OnnxNode> _producers = [];
    private Dictionary<string, List<OnnxNode>> _consumers = [];
    private HashSet<string> _graphOutputs = [];

    public GraphIndex(OnnxGraph graph)
    {
        _graph = graph;
        Rebuild();
    }

    /// <summary>Re-reads the graph after nodes were added or removed.</summary>
    public void Rebuild()
    {
        _initializers = _graph.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _producers = new(StringComparer.Ordinal);
        _consumers = new(StringComparer.Ordinal);
        foreach (var node in _graph.Nodes)
        {
            foreach (var o in node.Outputs) _producers[o] = node;
            foreach (var i in node.Inputs)
            {
                if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = [];
                list.Add(node);
            }
        }
        _graphOutputs = _graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    public OnnxTensor? Initializer(string name) => _initializers.GetValueOrDefault(name);

    public OnnxNode? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    public IReadOnlyList<OnnxNode> Consumers(string tensor) => _consumers.TryGetValue(tensor, out var list) ? list : [];

    public bool IsGraphOutput(string tensor) => _graphOutputs.Contains(tensor);

    /// <summary>The only node reading <paramref name="tensor"/>, when exactly one does and the tensor is not a graph output.</summary>
    public OnnxNode? SoleConsumer(string tensor, string opType)
    {
        var consumers = Consumers(tensor);
        return consumers.Count == 1 && consumers[0].OpType == opType && !IsGraphOutput(tensor) ? consumers[0] : null;
    }

    /// <summary>A constant float operand of a binary node: the input that is an initializer, with the other input's name.</summary>
    public (float[] Values, long[] Dims, string Other)? ConstantOperand(OnnxNode node)
    {
        if (node.Inputs.Count != 2) return null;
        for (int k = 0; k < 2; k++)
            if (Initializer(node.Inputs[k]) is { DataType: OnnxDataType.Float } c)
                return (c.ToFloats(), c.Dims, node.Inputs[1 - k]);
        return null;
    }
}

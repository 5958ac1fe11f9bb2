using FaceAge.Models.Onnx;

namespace FaceAge.Models.Conversion;

/// <summary>
/// Adapts a third-party ONNX graph to what FaceAge runs: its single input takes the manifest's shape (−1 = any size,
/// so a detector can be fed an input that fits the image instead of a padded one), and its outputs become the
/// manifest's list, each "name" or "alias=tensor" (an inner tensor given out under a name of ours). Nodes and
/// initializers that no output needs are removed, e.g. a box decoding baked in for one input size.
/// </summary>
public static class OnnxGraphCut
{
    public static int Apply(OnnxGraph graph, IReadOnlyList<long> inputShape, IReadOnlyList<string> outputs)
    {
        if (graph.Inputs.Count != 1) throw new InvalidDataException($"the graph has {graph.Inputs.Count} inputs; only single-input graphs can be adapted.");
        var input = graph.Inputs[0];
        if (input.Shape is { } old && old.Count != inputShape.Count)
            throw new InvalidDataException($"input '{input.Name}' has {old.Count} dimensions, the manifest gives {inputShape.Count}.");
        graph.Inputs[0] = input with
        {
            Shape = inputShape.Select(d => d >= 0 ? d : (long?)null).ToList(),
            SymbolicBatchName = inputShape[0] < 0 ? "batch" : null,
        };

        bool dynamic = inputShape.Any(d => d < 0);
        var produced = graph.Nodes.SelectMany(n => n.Outputs).ToHashSet();
        var known = graph.Outputs.ToDictionary(o => o.Name);
        var newOutputs = new List<OnnxValueInfo>();
        var renames = new Dictionary<string, string>();
        foreach (var entry in outputs)
        {
            var parts = entry.Split('=', 2);
            string alias = parts[0].Trim(), tensor = parts.Length == 2 ? parts[1].Trim() : alias;
            if (!produced.Contains(tensor)) throw new InvalidDataException($"output '{entry}': no node of the graph produces '{tensor}'.");
            if (alias != tensor)
            {
                if (produced.Contains(alias)) throw new InvalidDataException($"output '{entry}': the graph already has a tensor named '{alias}'.");
                renames[tensor] = alias;
            }
            // An inner tensor's type is not stored; the runtime checks it against the graph when the model loads.
            // With an input of any size, an output's stored sizes (those of the one size the file was made for) no longer hold.
            newOutputs.Add(known.TryGetValue(tensor, out var info)
                ? info with { Name = alias, Shape = dynamic ? info.Shape?.Select(_ => (long?)null).ToList() : info.Shape, SymbolicBatchName = dynamic ? null
                    : info.SymbolicBatchName }
                : new OnnxValueInfo(alias, OnnxDataType.Float, null, null));
        }

        string Renamed(string name) => renames.GetValueOrDefault(name, name);
        var needed = newOutputs.Select(o => o.Name).ToHashSet();
        var kept = new List<OnnxNode>();
        for (int i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            var node = graph.Nodes[i] with { Inputs = graph.Nodes[i].Inputs.Select(Renamed).ToList(),
                Outputs = graph.Nodes[i].Outputs.Select(Renamed).ToList() };
            if (!node.Outputs.Any(needed.Contains)) continue; // nodes are in topological order, so consumers come first here
            kept.Add(node);
            foreach (var name in node.Inputs) if (name.Length > 0) needed.Add(name);
        }
        kept.Reverse();
        int removed = graph.Nodes.Count - kept.Count;
        graph.Nodes.Clear();
        graph.Nodes.AddRange(kept);
        graph.Initializers.RemoveAll(t => !needed.Contains(t.Name));
        graph.Outputs.Clear();
        graph.Outputs.AddRange(newOutputs);
        return removed;
    }
}

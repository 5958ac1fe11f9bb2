using System.Text;
using System.Text.Json;

namespace FaceAge.Models.Tfjs;

/// <summary>One node of a TF.js graph model ("modelTopology.node").</summary>
public sealed class TfjsNode
{
    public required string Name { get; init; }
    public required string Op { get; init; }
    /// <summary>Data inputs as "node" or "node:k"; control inputs ("^node") are dropped.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }
    public required IReadOnlyDictionary<string, JsonElement> Attributes { get; init; }

    public bool HasAttribute(string name) => Attributes.ContainsKey(name);

    public string GetString(string name, string fallback = "")
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("s", out var s)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString() ?? ""))
            : fallback;

    public long GetInt(string name, long fallback = 0)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("i", out var i) ? ParseLong(i) : fallback;

    public float GetFloat(string name, float fallback = 0)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("f", out var f) ? (float)ParseDouble(f) : fallback;

    public bool GetBool(string name, bool fallback = false)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    public long[] GetInts(string name)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("list", out var l) && l.TryGetProperty("i", out var i)
            ? i.EnumerateArray().Select(ParseLong).ToArray()
            : [];

    public string[] GetStrings(string name)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("list", out var l) && l.TryGetProperty("s", out var s)
            ? s.EnumerateArray().Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetString() ?? ""))).ToArray()
            : [];

    /// <summary>Shape attribute of a Placeholder; -1 for unknown dimensions.</summary>
    public long[] GetShape(string name)
    {
        if (!Attributes.TryGetValue(name, out var a) || !a.TryGetProperty("shape", out var shape)) return [];
        if (!shape.TryGetProperty("dim", out var dims)) return [];
        return dims.EnumerateArray().Select(d => d.TryGetProperty("size", out var s) ? ParseLong(s) : -1).ToArray();
    }

    // TF.js JSON writes int64 as strings and floats as numbers or strings ("NaN").
    private static long ParseLong(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetInt64();
    private static double ParseDouble(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetDouble();
}

/// <summary>A constant tensor read from the weight shards, dequantized to its original type.</summary>
public sealed record TfjsWeight(string Name, long[] Shape, TfjsDataType DataType, float[]? Floats, int[]? Ints, bool[]? Bools);

public enum TfjsDataType { Float32, Int32, Bool }

/// <summary>
/// A TF.js "graph-model" (model.json + binary weight shards): its nodes, the declared outputs and
/// the weights, with float16 / uint8 / uint16 quantization undone.
/// </summary>
public sealed class TfjsGraphModel
{
    public required IReadOnlyList<TfjsNode> Nodes { get; init; }
    public required IReadOnlyDictionary<string, TfjsWeight> Weights { get; init; }
    /// <summary>Output tensor names from the model signature ("name:0" normalized to "name"); empty if none.</summary>
    public required IReadOnlyList<string> SignatureOutputs { get; init; }

    public static TfjsGraphModel Load(string modelJsonPath)
    {
        if (!File.Exists(modelJsonPath)) throw new FileNotFoundException($"TF.js model not found: {modelJsonPath}", modelJsonPath);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
        var root = doc.RootElement;
        var format = root.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (format != "graph-model")
            throw new InvalidDataException($"{modelJsonPath}: format is '{format}', only TF.js 'graph-model' is supported.");

        var topology = root.GetProperty("modelTopology");
        if (topology.TryGetProperty("library", out var lib) && lib.TryGetProperty("function", out var fn) && fn.GetArrayLength() > 0)
            throw new NotSupportedException($"{modelJsonPath}: graph functions (control flow) are not supported.");

        var nodes = new List<TfjsNode>();
        foreach (var n in topology.GetProperty("node").EnumerateArray())
        {
            var inputs = n.TryGetProperty("input", out var ins)
                ? ins.EnumerateArray().Select(i => i.GetString()!).Where(i => !i.StartsWith('^')).ToList()
                : [];
            var attrs = new Dictionary<string, JsonElement>();
            if (n.TryGetProperty("attr", out var attr))
                foreach (var p in attr.EnumerateObject()) attrs[p.Name] = p.Value.Clone();
            nodes.Add(new TfjsNode { Name = n.GetProperty("name").GetString()!, Op = n.GetProperty("op").GetString()!, Inputs = inputs, Attributes = attrs });
        }

        var outputs = new List<string>();
        if (root.TryGetProperty("signature", out var sig) && sig.ValueKind == JsonValueKind.Object && sig.TryGetProperty("outputs", out var outs))
            foreach (var o in outs.EnumerateObject())
            {
                var name = o.Value.TryGetProperty("name", out var nm) ? nm.GetString()! : o.Name;
                outputs.Add(name.EndsWith(":0", StringComparison.Ordinal) ? name[..^2] : name);
            }

        var directory = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
        var weights = TfjsWeightReader.Read(root.GetProperty("weightsManifest"), directory);
        return new TfjsGraphModel { Nodes = nodes, Weights = weights, SignatureOutputs = outputs };
    }
}

namespace FaceAge.Models.Onnx;

/// <summary>ONNX element types (TensorProto.DataType) that FaceAge writes.</summary>
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
}

/// <summary>A constant tensor (initializer or attribute value), stored row-major as raw little-endian bytes.</summary>
public sealed record OnnxTensor(string Name, OnnxDataType DataType, long[] Dims, byte[] RawData)
{
    public static OnnxTensor FromFloats(string name, long[] dims, ReadOnlySpan<float> values)
    {
        CheckCount(name, dims, values.Length);
        var raw = new byte[values.Length * sizeof(float)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(raw);
        return new OnnxTensor(name, OnnxDataType.Float, dims, raw);
    }

    public static OnnxTensor FromInt64s(string name, long[] dims, ReadOnlySpan<long> values)
    {
        CheckCount(name, dims, values.Length);
        var raw = new byte[values.Length * sizeof(long)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(raw);
        return new OnnxTensor(name, OnnxDataType.Int64, dims, raw);
    }

    public static OnnxTensor FromInt32s(string name, long[] dims, ReadOnlySpan<int> values)
    {
        CheckCount(name, dims, values.Length);
        var raw = new byte[values.Length * sizeof(int)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(raw);
        return new OnnxTensor(name, OnnxDataType.Int32, dims, raw);
    }

    public float[] ToFloats()
    {
        if (DataType != OnnxDataType.Float) throw new InvalidOperationException($"Tensor '{Name}' is {DataType}, not Float.");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(RawData).ToArray();
    }

    public long[] ToInt64s() => DataType switch
    {
        OnnxDataType.Int64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(RawData).ToArray(),
        OnnxDataType.Int32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(RawData).ToArray().Select(v => (long)v).ToArray(),
        _ => throw new InvalidOperationException($"Tensor '{Name}' is {DataType}, not an integer type."),
    };

    private static void CheckCount(string name, long[] dims, int count)
    {
        long expected = 1;
        foreach (var d in dims) expected *= d;
        if (expected != count)
            throw new ArgumentException($"Tensor '{name}': shape [{string.Join(',', dims)}] holds {expected} values, got {count}.");
    }
}

/// <summary>One attribute of a node. Exactly one of the value fields is set.</summary>
public sealed class OnnxAttribute
{
    public required string Name { get; init; }
    public float? Float { get; init; }
    public long? Int { get; init; }
    public string? String { get; init; }
    public OnnxTensor? Tensor { get; init; }
    public float[]? Floats { get; init; }
    public long[]? Ints { get; init; }

    public static OnnxAttribute Of(string name, long value) => new() { Name = name, Int = value };
    public static OnnxAttribute Of(string name, float value) => new() { Name = name, Float = value };
    public static OnnxAttribute Of(string name, string value) => new() { Name = name, String = value };
    public static OnnxAttribute Of(string name, long[] values) => new() { Name = name, Ints = values };
    public static OnnxAttribute Of(string name, float[] values) => new() { Name = name, Floats = values };
}

public sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttribute> Attributes);

/// <summary>A graph input or output: name, element type and shape (null dimension = symbolic).</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<long?>? Shape, string? SymbolicBatchName = "batch");

public sealed class OnnxGraph
{
    public string Name { get; set; } = "graph";
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];
}

public sealed class OnnxModel
{
    public const long IrVersion = 8;
    public required OnnxGraph Graph { get; init; }
    public long Opset { get; set; } = 13;
    public string ProducerName { get; init; } = "FaceAge";
    public string ProducerVersion { get; init; } = "1";
    public string DocString { get; init; } = "";
    public Dictionary<string, string> Metadata { get; } = [];
}

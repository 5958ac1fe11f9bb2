using FaceAge.Models.Onnx;
using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Conversion;

/// <summary>
/// How a converted tensor is laid out. TF.js graphs are NHWC; ONNX convolutions and pools are NCHW.
/// Rank-4 tensors produced by spatial ops stay NCHW until an op needs the TF layout back, so that a
/// chain of convolutions carries no transposes between them.
/// </summary>
public enum Layout { Native, Nchw }

/// <summary>A converted tensor: its ONNX name, its layout, its rank, and its value when it is a constant.</summary>
public sealed record TensorRef(string OnnxName, Layout Layout, int Rank, ConstValue? Const = null);

/// <summary>A constant known at conversion time (a TF.js Const node).</summary>
public sealed record ConstValue(long[] Shape, float[]? Floats, long[]? Ints)
{
    public int Rank => Shape.Length;
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    public long[] RequireInts(string what)
        => Ints ?? throw new NotSupportedException($"{what} must be an integer constant.");

    public float[] RequireFloats(string what)
        => Floats ?? Ints?.Select(v => (float)v).ToArray() ?? throw new NotSupportedException($"{what} must be a float constant.");

    public static ConstValue From(TfjsWeight w) => w.DataType switch
    {
        TfjsDataType.Float32 => new ConstValue(w.Shape, w.Floats, null),
        TfjsDataType.Int32 => new ConstValue(w.Shape, null, w.Ints!.Select(v => (long)v).ToArray()),
        _ => new ConstValue(w.Shape, null, w.Bools!.Select(v => v ? 1L : 0L).ToArray()),
    };
}

/// <summary>Mutable state of one conversion: the growing ONNX graph and the TF → ONNX tensor map.</summary>
public sealed class ConversionContext
{
    // Position of each NHWC axis inside an NCHW tensor.
    public static readonly int[] NhwcToNchwAxis = [0, 2, 3, 1];
    private static readonly long[] ToNchw = [0, 3, 1, 2];
    private static readonly long[] ToNhwc = [0, 2, 3, 1];

    private readonly Dictionary<string, TensorRef> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _layoutCache = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
    private int _counter;

    public OnnxGraph Graph { get; } = new();

    public void Bind(string tfTensor, TensorRef tensor) => _tensors[tfTensor] = tensor;

    public TensorRef Get(string tfInput)
    {
        var key = tfInput.EndsWith(":0", StringComparison.Ordinal) ? tfInput[..^2] : tfInput;
        return _tensors.TryGetValue(key, out var t)
            ? t
            : throw new InvalidDataException($"Tensor '{tfInput}' is used before it is defined (or its producer was not converted).");
    }

    public string UniqueName(string hint)
    {
        var name = hint;
        while (!_usedNames.Add(name)) name = $"{hint}__{++_counter}";
        return name;
    }

    public string AddNode(string opType, string nameHint, IReadOnlyList<string> inputs, IReadOnlyList<OnnxAttribute>? attributes = null, string? output = null)
    {
        var outName = output ?? UniqueName(nameHint);
        Graph.Nodes.Add(new OnnxNode(opType, UniqueName(nameHint + "__node"), inputs, [outName], attributes ?? []));
        return outName;
    }

    public string AddFloatInitializer(string hint, long[] dims, float[] values)
    {
        var name = UniqueName(hint);
        Graph.Initializers.Add(OnnxTensor.FromFloats(name, dims, values));
        return name;
    }

    public string AddInt64Initializer(string hint, long[] dims, long[] values)
    {
        var name = UniqueName(hint);
        Graph.Initializers.Add(OnnxTensor.FromInt64s(name, dims, values));
        return name;
    }

    /// <summary>The tensor in TF (NHWC / native) order, inserting a transpose when needed.</summary>
    public string AsNative(TensorRef t)
    {
        if (t.Const is { } c) return MaterializeConst(t.OnnxName, c, Layout.Native);
        if (t.Layout == Layout.Native) return t.OnnxName;
        return CachedTranspose(t.OnnxName, ToNhwc, "__nhwc");
    }

    /// <summary>The rank-4 tensor in NCHW order, inserting a transpose when needed.</summary>
    public string AsNchw(TensorRef t)
    {
        if (t.Rank != 4) throw new NotSupportedException($"Tensor '{t.OnnxName}' has rank {t.Rank}; a spatial op needs rank 4.");
        if (t.Const is { } c) return MaterializeConst(t.OnnxName, c, Layout.Nchw);
        if (t.Layout == Layout.Nchw) return t.OnnxName;
        return CachedTranspose(t.OnnxName, ToNchw, "__nchw");
    }

    private string CachedTranspose(string name, long[] perm, string suffix)
    {
        var key = name + suffix;
        if (_layoutCache.TryGetValue(key, out var cached)) return cached;
        var output = AddNode("Transpose", key, [name], [OnnxAttribute.Of("perm", perm)]);
        _layoutCache[key] = output;
        return output;
    }

    /// <summary>
    /// A constant as an initializer. For <see cref="Layout.Nchw"/> the constant is first given rank 4 by
    /// NumPy-style left padding, then transposed, so that it broadcasts against NCHW tensors exactly as
    /// it broadcast against the NHWC original.
    /// </summary>
    public string MaterializeConst(string name, ConstValue c, Layout layout)
    {
        var key = name + (layout == Layout.Nchw ? "__const_nchw" : "__const");
        if (_layoutCache.TryGetValue(key, out var cached)) return cached;
        string result;
        if (layout == Layout.Native)
        {
            result = c.Floats is { } f ? AddFloatInitializer(name, c.Shape, f) : AddInt64Initializer(name, c.Shape, c.Ints!);
        }
        else
        {
            if (c.Rank > 4) throw new NotSupportedException($"Constant '{name}' of rank {c.Rank} cannot broadcast against a rank-4 tensor.");
            var shape4 = Enumerable.Repeat(1L, 4 - c.Rank).Concat(c.Shape).ToArray();
            var values = c.RequireFloats($"Constant '{name}'");
            var nchw = TransposeNhwcToNchw(values, shape4);
            result = AddFloatInitializer(name + "__nchw", [shape4[0], shape4[3], shape4[1], shape4[2]], nchw);
        }
        _layoutCache[key] = result;
        return result;
    }

    public static float[] TransposeNhwcToNchw(float[] values, long[] shape)
    {
        int n = (int)shape[0], h = (int)shape[1], w = (int)shape[2], ch = (int)shape[3];
        var result = new float[values.Length];
        for (int b = 0; b < n; b++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < ch; k++)
                        result[((b * ch + k) * h + y) * w + x] = values[((b * h + y) * w + x) * ch + k];
        return result;
    }
}

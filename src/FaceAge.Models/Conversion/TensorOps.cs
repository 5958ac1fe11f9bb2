using FaceAge.Models.Onnx;
using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Conversion;

/// <summary>Shape, reduction and matrix ops. They work in TF (native) order.</summary>
internal static class TensorOps
{
    public static void Register(Dictionary<string, OpConverter> ops)
    {
        ops["Reshape"] = Reshape;
        ops["Pad"] = Pad;
        ops["PadV2"] = Pad;
        ops["ExpandDims"] = ExpandDims;
        ops["Squeeze"] = Squeeze;
        ops["StridedSlice"] = StridedSlice;
        ops["ConcatV2"] = Concat;
        ops["Transpose"] = Transpose;
        ops["Softmax"] = (ctx, n) => Unary(ctx, n, "Softmax", [OnnxAttribute.Of("axis", -1L)]);
        ops["Mean"] = (ctx, n) => Reduce(ctx, n, "ReduceMean");
        ops["Max"] = (ctx, n) => Reduce(ctx, n, "ReduceMax");
        ops["Min"] = (ctx, n) => Reduce(ctx, n, "ReduceMin");
        ops["Sum"] = (ctx, n) => Reduce(ctx, n, "ReduceSum");
        ops["MatMul"] = (ctx, n) => MatMul(ctx, n, fused: false);
        ops["_FusedMatMul"] = (ctx, n) => MatMul(ctx, n, fused: true);
    }

    private static long[] ConstInts(ConversionContext ctx, TfjsNode node, int index, string what)
        => (ctx.Get(node.Inputs[index]).Const ?? throw new NotSupportedException($"{node.Name}: {what} must be a constant."))
            .RequireInts($"{node.Name} {what}");

    private static void Unary(ConversionContext ctx, TfjsNode node, string op, IReadOnlyList<OnnxAttribute> attrs)
    {
        var x = ctx.Get(node.Inputs[0]);
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode(op, node.Name, [ctx.AsNative(x)], attrs), Layout.Native, x.Rank));
    }

    private static void Reshape(ConversionContext ctx, TfjsNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var shape = ConstInts(ctx, node, 1, "the target shape");
        var shapeName = ctx.AddInt64Initializer(node.Name + "/shape", [shape.Length], shape);
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Reshape", node.Name, [ctx.AsNative(x), shapeName]), Layout.Native, shape.Length));
    }

    private static void Pad(ConversionContext ctx, TfjsNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var paddings = ConstInts(ctx, node, 1, "paddings"); // [rank, 2]
        int rank = paddings.Length / 2;
        var pads = new long[rank * 2];
        for (int i = 0; i < rank; i++)
        {
            pads[i] = paddings[2 * i];
            pads[rank + i] = paddings[2 * i + 1];
        }
        var inputs = new List<string> { ctx.AsNative(x), ctx.AddInt64Initializer(node.Name + "/pads", [pads.Length], pads) };
        if (node.Op == "PadV2")
        {
            var value = ctx.Get(node.Inputs[2]).Const?.RequireFloats($"{node.Name} constant value")
                ?? throw new NotSupportedException($"{node.Name}: pad value must be constant.");
            inputs.Add(ctx.AddFloatInitializer(node.Name + "/value", [], [value[0]]));
        }
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Pad", node.Name, inputs), Layout.Native, rank));
    }

    private static void ExpandDims(ConversionContext ctx, TfjsNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var axis = ConstInts(ctx, node, 1, "axis")[0];
        if (axis < 0) axis += x.Rank + 1;
        var axes = ctx.AddInt64Initializer(node.Name + "/axes", [1], [axis]);
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Unsqueeze", node.Name, [ctx.AsNative(x), axes]), Layout.Native, x.Rank + 1));
    }

    private static void Squeeze(ConversionContext ctx, TfjsNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var dims = node.GetInts("squeeze_dims");
        if (dims.Length == 0) dims = node.GetInts("axis");
        if (dims.Length == 0) throw new NotSupportedException($"{node.Name}: Squeeze without explicit axes needs static shapes.");
        var axes = ctx.AddInt64Initializer(node.Name + "/axes", [dims.Length], dims);
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Squeeze", node.Name, [ctx.AsNative(x), axes]), Layout.Native, x.Rank - dims.Length));
    }

    private static void Transpose(ConversionContext ctx, TfjsNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var perm = ConstInts(ctx, node, 1, "perm");
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Transpose", node.Name, [ctx.AsNative(x)], [OnnxAttribute.Of("perm", perm)]), Layout.Native, x.Rank));
    }

    private static void Concat(ConversionContext ctx, TfjsNode node)
    {
        var inputs = node.Inputs.Take(node.Inputs.Count - 1).Select(ctx.Get).ToList();
        var axis = ConstInts(ctx, node, node.Inputs.Count - 1, "axis")[0];
        int rank = inputs[0].Rank;
        if (axis < 0) axis += rank;
        bool allNchw = inputs.All(t => t.Layout == Layout.Nchw);
        var names = inputs.Select(t => allNchw ? t.OnnxName : ctx.AsNative(t)).ToList();
        long onnxAxis = allNchw ? ConversionContext.NhwcToNchwAxis[axis] : axis;
        var output = ctx.AddNode("Concat", node.Name, names, [OnnxAttribute.Of("axis", onnxAxis)]);
        ctx.Bind(node.Name, new TensorRef(output, allNchw ? Layout.Nchw : Layout.Native, rank));
    }

    /// <summary>
    /// StridedSlice → Slice (+ Squeeze for shrink_axis_mask). Begin/end masks mean "from the start" /
    /// "to the end" of that axis. Ellipsis and new-axis masks are not used by the supported graphs.
    /// </summary>
    private static void StridedSlice(ConversionContext ctx, TfjsNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var begin = ConstInts(ctx, node, 1, "begin");
        var end = ConstInts(ctx, node, 2, "end");
        var strides = ConstInts(ctx, node, 3, "strides");
        long beginMask = node.GetInt("begin_mask"), endMask = node.GetInt("end_mask");
        long shrinkMask = node.GetInt("shrink_axis_mask");
        if (node.GetInt("ellipsis_mask") != 0 || node.GetInt("new_axis_mask") != 0)
            throw new NotSupportedException($"{node.Name}: StridedSlice with ellipsis or new-axis masks is not supported.");

        int n = begin.Length;
        var starts = new long[n];
        var ends = new long[n];
        var shrinkAxes = new List<long>();
        for (int i = 0; i < n; i++)
        {
            bool forward = strides[i] > 0;
            bool shrink = (shrinkMask >> i & 1) == 1;
            starts[i] = (beginMask >> i & 1) == 1 && !shrink ? (forward ? 0 : long.MaxValue) : begin[i];
            if (shrink)
            {
                // A single index: -1 means the last element, whose exclusive end is "past the end".
                ends[i] = begin[i] == -1 ? long.MaxValue : begin[i] + 1;
                strides[i] = 1;
                shrinkAxes.Add(i);
            }
            else
                ends[i] = (endMask >> i & 1) == 1 ? (forward ? long.MaxValue : long.MinValue) : end[i];
        }

        var axes = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var sliced = ctx.AddNode("Slice", shrinkAxes.Count > 0 ? node.Name + "/slice" : node.Name,
        [
            ctx.AsNative(x),
            ctx.AddInt64Initializer(node.Name + "/starts", [n], starts),
            ctx.AddInt64Initializer(node.Name + "/ends", [n], ends),
            ctx.AddInt64Initializer(node.Name + "/axes", [n], axes),
            ctx.AddInt64Initializer(node.Name + "/steps", [n], strides),
        ]);
        if (shrinkAxes.Count > 0)
            sliced = ctx.AddNode("Squeeze", node.Name,
                [sliced, ctx.AddInt64Initializer(node.Name + "/squeeze_axes", [shrinkAxes.Count], shrinkAxes.ToArray())]);
        ctx.Bind(node.Name, new TensorRef(sliced, Layout.Native, x.Rank - shrinkAxes.Count));
    }

    private static void Reduce(ConversionContext ctx, TfjsNode node, string onnxOp)
    {
        var x = ctx.Get(node.Inputs[0]);
        var axes = ConstInts(ctx, node, 1, "axes").Select(a => a < 0 ? a + x.Rank : a).ToArray();
        bool keepDims = node.GetBool("keep_dims");

        // Reduce an NCHW tensor in place when the surviving axes keep their TF order.
        bool inPlace = x.Layout == Layout.Nchw && (keepDims || SurvivorsKeepOrder(axes));
        var input = inPlace ? x.OnnxName : ctx.AsNative(x);
        var onnxAxes = inPlace ? axes.Select(a => (long)ConversionContext.NhwcToNchwAxis[a]).ToArray() : axes;
        var attrs = new List<OnnxAttribute> { OnnxAttribute.Of("keepdims", keepDims ? 1L : 0L) };
        var inputs = new List<string> { input };
        // Opset 13: ReduceSum takes axes as an input, the other reductions as an attribute.
        if (onnxOp == "ReduceSum") inputs.Add(ctx.AddInt64Initializer(node.Name + "/axes", [onnxAxes.Length], onnxAxes));
        else attrs.Add(OnnxAttribute.Of("axes", onnxAxes));
        var output = ctx.AddNode(onnxOp, node.Name, inputs, attrs);
        int rank = keepDims ? x.Rank : x.Rank - axes.Distinct().Count();
        ctx.Bind(node.Name, new TensorRef(output, inPlace && keepDims ? Layout.Nchw : Layout.Native, rank));
    }

    private static bool SurvivorsKeepOrder(long[] reducedNhwcAxes)
    {
        // NCHW holds NHWC axes in the order 0, 3, 1, 2.
        var survivors = new[] { 0L, 3, 1, 2 }.Where(a => !reducedNhwcAxes.Contains(a)).ToArray();
        return survivors.SequenceEqual(survivors.Order());
    }

    private static void MatMul(ConversionContext ctx, TfjsNode node, bool fused)
    {
        var a = ctx.Get(node.Inputs[0]);
        var b = ctx.Get(node.Inputs[1]);
        bool transA = node.GetBool("transpose_a"), transB = node.GetBool("transpose_b");
        string[] fusedOps = fused ? node.GetStrings("fused_ops") : [];
        var inputs = new List<string> { ctx.AsNative(a), ctx.AsNative(b) };
        if (fusedOps.Length > 0)
        {
            if (fusedOps[0] != "BiasAdd") throw new NotSupportedException($"{node.Name}: fused op '{fusedOps[0]}' is not supported.");
            inputs.Add(ctx.AsNative(ctx.Get(node.Inputs[2])));
        }
        var gemmOut = fusedOps.Length > 1 ? node.Name + "/gemm" : node.Name;
        var output = ctx.AddNode("Gemm", gemmOut, inputs,
            [OnnxAttribute.Of("transA", transA ? 1L : 0L), OnnxAttribute.Of("transB", transB ? 1L : 0L)]);
        if (fusedOps.Length > 1)
            output = ElementwiseOps.Activation(ctx, node, fusedOps[1], output, Layout.Native, extraInputIndex: 3);
        ctx.Bind(node.Name, new TensorRef(output, Layout.Native, 2));
    }
}

using FaceAge.Models.Onnx;
using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Conversion;

/// <summary>Convolutions and pools: NHWC TF ops become NCHW ONNX ops; their outputs stay NCHW.</summary>
internal static class SpatialOps
{
    public static void Register(Dictionary<string, OpConverter> ops)
    {
        ops["Conv2D"] = (ctx, n) => Conv(ctx, n, depthwise: false, fused: false);
        ops["_FusedConv2D"] = (ctx, n) => Conv(ctx, n, depthwise: false, fused: true);
        ops["DepthwiseConv2dNative"] = (ctx, n) => Conv(ctx, n, depthwise: true, fused: false);
        ops["FusedDepthwiseConv2dNative"] = (ctx, n) => Conv(ctx, n, depthwise: true, fused: true);
        ops["MaxPool"] = (ctx, n) => Pool(ctx, n, "MaxPool");
        ops["AvgPool"] = (ctx, n) => Pool(ctx, n, "AveragePool");
    }

    private static void Conv(ConversionContext ctx, TfjsNode node, bool depthwise, bool fused)
    {
        CheckDataFormat(node);
        var x = ctx.Get(node.Inputs[0]);
        var filter = ctx.Get(node.Inputs[1]).Const ?? throw new NotSupportedException($"{node.Name}: the filter must be a constant.");
        var f = filter.RequireFloats($"{node.Name} filter");
        long kh = filter.Shape[0], kw = filter.Shape[1], ci = filter.Shape[2], co = filter.Shape[3];

        float[] weights;
        long[] wShape;
        long group = 1;
        if (depthwise)
        {
            // TF [kh, kw, C, M] → ONNX [C*M, 1, kh, kw], output channel c*M + m.
            weights = new float[f.Length];
            for (long y = 0; y < kh; y++)
                for (long xx = 0; xx < kw; xx++)
                    for (long c = 0; c < ci; c++)
                        for (long m = 0; m < co; m++)
                            weights[(((c * co + m) * kh) + y) * kw + xx] = f[((y * kw + xx) * ci + c) * co + m];
            wShape = [ci * co, 1, kh, kw];
            group = ci;
        }
        else
        {
            // TF HWIO → ONNX OIHW.
            weights = new float[f.Length];
            for (long y = 0; y < kh; y++)
                for (long xx = 0; xx < kw; xx++)
                    for (long i = 0; i < ci; i++)
                        for (long o = 0; o < co; o++)
                            weights[((o * ci + i) * kh + y) * kw + xx] = f[((y * kw + xx) * ci + i) * co + o];
            wShape = [co, ci, kh, kw];
        }

        var inputs = new List<string> { ctx.AsNchw(x), ctx.AddFloatInitializer(node.Name + "/W", wShape, weights) };
        string[] fusedOps = fused ? node.GetStrings("fused_ops") : [];
        if (fusedOps.Length > 0 && fusedOps[0] == "BiasAdd")
        {
            var bias = ctx.Get(node.Inputs[2]).Const ?? throw new NotSupportedException($"{node.Name}: the bias must be a constant.");
            inputs.Add(ctx.AddFloatInitializer(node.Name + "/B", [bias.Count], bias.RequireFloats($"{node.Name} bias")));
        }
        else if (fusedOps.Length > 0)
            throw new NotSupportedException($"{node.Name}: fused op '{fusedOps[0]}' is not supported (only BiasAdd first).");

        var attrs = new List<OnnxAttribute>
        {
            OnnxAttribute.Of("kernel_shape", new[] { kh, kw }),
            OnnxAttribute.Of("strides", Spatial(node.GetInts("strides"))),
            OnnxAttribute.Of("dilations", Spatial(node.GetInts("dilations"))),
            OnnxAttribute.Of("group", group),
        };
        AddPadding(node, attrs);

        var convOut = fusedOps.Length > 1 ? node.Name + "/conv" : node.Name;
        var output = ctx.AddNode("Conv", convOut, inputs, attrs);
        if (fusedOps.Length > 1)
            output = ElementwiseOps.Activation(ctx, node, fusedOps[1], output, Layout.Nchw, extraInputIndex: 3);
        ctx.Bind(node.Name, new TensorRef(output, Layout.Nchw, 4));
    }

    private static void Pool(ConversionContext ctx, TfjsNode node, string onnxOp)
    {
        CheckDataFormat(node);
        var x = ctx.Get(node.Inputs[0]);
        var attrs = new List<OnnxAttribute>
        {
            OnnxAttribute.Of("kernel_shape", Spatial(node.GetInts("ksize"))),
            OnnxAttribute.Of("strides", Spatial(node.GetInts("strides"))),
        };
        // TF's AvgPool averages over valid pixels only, like ONNX's count_include_pad = 0 (the default).
        AddPadding(node, attrs);
        var output = ctx.AddNode(onnxOp, node.Name, [ctx.AsNchw(x)], attrs);
        ctx.Bind(node.Name, new TensorRef(output, Layout.Nchw, 4));
    }

    private static void AddPadding(TfjsNode node, List<OnnxAttribute> attrs)
    {
        var padding = node.GetString("padding", "VALID");
        switch (padding)
        {
            case "SAME":
                // TF puts the odd extra pixel at the end (bottom/right), which is ONNX SAME_UPPER.
                attrs.Add(OnnxAttribute.Of("auto_pad", "SAME_UPPER"));
                break;
            case "VALID":
                attrs.Add(OnnxAttribute.Of("pads", new long[] { 0, 0, 0, 0 }));
                break;
            case "EXPLICIT":
                var p = node.GetInts("explicit_paddings"); // NHWC pairs: [n0,n1,h0,h1,w0,w1,c0,c1]
                attrs.Add(OnnxAttribute.Of("pads", new[] { p[2], p[4], p[3], p[5] }));
                break;
            default:
                throw new NotSupportedException($"{node.Name}: padding '{padding}' is not supported.");
        }
    }

    private static void CheckDataFormat(TfjsNode node)
    {
        var format = node.GetString("data_format", "NHWC");
        if (format != "NHWC") throw new NotSupportedException($"{node.Name}: data_format '{format}' is not supported (NHWC only).");
    }

    private static long[] Spatial(long[] nhwc) => nhwc.Length == 4 ? [nhwc[1], nhwc[2]] : nhwc.Length == 0 ? [1, 1] : nhwc;
}

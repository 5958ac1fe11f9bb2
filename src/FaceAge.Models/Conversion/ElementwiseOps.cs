using FaceAge.Models.Onnx;
using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Conversion;

/// <summary>Element-wise ops. They keep an NCHW operand NCHW, re-laying constants to broadcast the same way.</summary>
internal static class ElementwiseOps
{
    private static readonly Dictionary<string, string> Binary = new()
    {
        ["Add"] = "Add", ["AddV2"] = "Add", ["BiasAdd"] = "Add", ["Sub"] = "Sub", ["Mul"] = "Mul",
        ["RealDiv"] = "Div", ["Div"] = "Div", ["Minimum"] = "Min", ["Maximum"] = "Max", ["Prelu"] = "PRelu",
        ["SquaredDifference"] = "SquaredDifference",
    };

    private static readonly Dictionary<string, string> Unary = new()
    {
        ["Relu"] = "Relu", ["Sigmoid"] = "Sigmoid", ["Tanh"] = "Tanh", ["Identity"] = "Identity", ["Neg"] = "Neg",
        ["Abs"] = "Abs", ["Exp"] = "Exp", ["Sqrt"] = "Sqrt", ["Floor"] = "Floor", ["Elu"] = "Elu",
    };

    public static void Register(Dictionary<string, OpConverter> ops)
    {
        foreach (var op in Binary.Keys) ops[op] = BinaryOp;
        foreach (var op in Unary.Keys) ops[op] = UnaryOp;
        ops["Relu6"] = (ctx, n) => BindUnaryResult(ctx, n, (input, layout) => Activation(ctx, n, "Relu6", input, layout, -1));
        ops["LeakyRelu"] = (ctx, n) => BindUnaryResult(ctx, n, (input, layout) => Activation(ctx, n, "LeakyRelu", input, layout, -1));
        ops["Rsqrt"] = (ctx, n) => BindUnaryResult(ctx, n, (input, _) =>
            ctx.AddNode("Reciprocal", n.Name, [ctx.AddNode("Sqrt", n.Name + "/sqrt", [input])]));
        ops["AddN"] = AddN;
        ops["Square"] = (ctx, n) => BindUnaryResult(ctx, n, (input, _) => ctx.AddNode("Mul", n.Name, [input, input]));
    }

    private static void BinaryOp(ConversionContext ctx, TfjsNode node)
    {
        if (node.Op == "SquaredDifference")
        {
            var diff = BinaryCore(ctx, node, "Sub", node.Name + "/diff", out var layout, out var rank);
            ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Mul", node.Name, [diff, diff]), layout, rank));
            return;
        }
        var output = BinaryCore(ctx, node, Binary[node.Op], node.Name, out var outLayout, out var outRank);
        ctx.Bind(node.Name, new TensorRef(output, outLayout, outRank));
    }

    private static string BinaryCore(ConversionContext ctx, TfjsNode node, string onnxOp, string outName, out Layout layout, out int rank)
    {
        var a = ctx.Get(node.Inputs[0]);
        var b = ctx.Get(node.Inputs[1]);
        rank = Math.Max(a.Rank, b.Rank);
        // Stay NCHW only when every runtime operand is a rank-4 tensor; constants can be re-laid.
        bool anyNchw = a.Layout == Layout.Nchw || b.Layout == Layout.Nchw;
        bool canNchw = anyNchw && (a.Const is not null || a.Rank == 4) && (b.Const is not null || b.Rank == 4)
                       && (a.Const?.Rank ?? 0) <= 4 && (b.Const?.Rank ?? 0) <= 4;
        layout = canNchw ? Layout.Nchw : Layout.Native;
        string Input(TensorRef t) => canNchw ? ctx.AsNchw(t with { Rank = 4 }) : ctx.AsNative(t);
        // PRelu broadcasts the slope one way only; TF allows either side but graphs put alpha second.
        return ctx.AddNode(onnxOp, outName, [Input(a), Input(b)]);
    }

    private static void AddN(ConversionContext ctx, TfjsNode node)
    {
        var inputs = node.Inputs.Select(ctx.Get).ToList();
        bool nchw = inputs.All(t => t.Layout == Layout.Nchw);
        var names = inputs.Select(t => nchw ? t.OnnxName : ctx.AsNative(t)).ToList();
        ctx.Bind(node.Name, new TensorRef(ctx.AddNode("Sum", node.Name, names), nchw ? Layout.Nchw : Layout.Native, inputs.Max(t => t.Rank)));
    }

    private static void UnaryOp(ConversionContext ctx, TfjsNode node)
        => BindUnaryResult(ctx, node, (input, _) => ctx.AddNode(Unary[node.Op], node.Name, [input]));

    private static void BindUnaryResult(ConversionContext ctx, TfjsNode node, Func<string, Layout, string> build)
    {
        var x = ctx.Get(node.Inputs[0]);
        if (x.Const is not null) throw new NotSupportedException($"{node.Name}: {node.Op} of a constant is not supported (fold it first).");
        ctx.Bind(node.Name, new TensorRef(build(x.OnnxName, x.Layout), x.Layout, x.Rank));
    }

    /// <summary>The activation that a fused TF op applies after its bias add.</summary>
    public static string Activation(ConversionContext ctx, TfjsNode node, string activation, string input, Layout layout, int extraInputIndex)
    {
        switch (activation)
        {
            case "Relu":
                return ctx.AddNode("Relu", node.Name, [input]);
            case "Relu6":
                return ctx.AddNode("Clip", node.Name,
                    [input, ctx.AddFloatInitializer(node.Name + "/min", [], [0f]), ctx.AddFloatInitializer(node.Name + "/max", [], [6f])]);
            case "Elu":
                return ctx.AddNode("Elu", node.Name, [input]);
            case "LeakyRelu":
                var alpha = node.GetFloat("leakyrelu_alpha", node.GetFloat("alpha", 0.2f));
                return ctx.AddNode("LeakyRelu", node.Name, [input], [OnnxAttribute.Of("alpha", alpha)]);
            case "Sigmoid":
                return ctx.AddNode("Sigmoid", node.Name, [input]);
            case "Prelu" when extraInputIndex >= 0:
                var slope = ctx.Get(node.Inputs[extraInputIndex]).Const
                            ?? throw new NotSupportedException($"{node.Name}: the Prelu alpha must be a constant.");
                return ctx.AddNode("PRelu", node.Name, [input, ctx.MaterializeConst(node.Inputs[extraInputIndex], slope, layout)]);
            default:
                throw new NotSupportedException($"{node.Name}: fused activation '{activation}' is not supported.");
        }
    }
}

using System.Numerics.Tensors;
using FaceAge.Core.Estimation;

namespace FaceAge.Training;

/// <summary>
/// Fine-tuning of faceres-deep's last block (conv_pw_13, the 1×1 convolution 1024 → 1024 over the 7×7 map)
/// on cached activations: its weights W get a low-rank update B·A (rank r) and each output channel a gain and
/// a shift, h = gain ⊙ (W·x + B·A·x) + bias + shift; then relu6, the global mean (the descriptor) and the
/// model's own frozen age/gender layers, so the features have the same layout as the frozen backbone's.
/// W·x (<c>z</c>) and x come from the cache; only the r·2048 + 2048 block parameters are trained, which makes
/// a pass about 30× cheaper than a full 1×1 convolution and lets the update fold back into W for export.
/// </summary>
public sealed class LastBlockAdapter
{
    public const int Positions = 49, Channels = 1024, FeatsWidth = 256;
    /// <summary>TF.js names: the block's input (after the depthwise conv) and its 1×1 convolution output (BN scale folded in).</summary>
    public const string InputTap = "conv_dw_13_relu/clip_by_value", ConvTap = "conv_pw_13_bn/batchnorm_1/mul_1";
    public const string KernelWeight = "conv_pw_13/convolution/merged_input", BiasWeight = "conv_pw_13_bn/batchnorm_1/sub";
    /// <summary>Length of one cached view: x then z, each 7·7·1024 (NHWC).</summary>
    public const int ViewLength = 2 * Positions * Channels;

    public LastBlockAdapter(int rank, StockLayers stock)
    {
        if (rank is < 1 or > Channels) throw new ArgumentOutOfRangeException(nameof(rank), $"rank must be 1–{Channels}, got {rank}");
        Rank = rank;
        Stock = stock;
        A = new float[rank * Channels];
        Bt = new float[rank * Channels];
        Gain = Enumerable.Repeat(1f, Channels).ToArray();
        Shift = new float[Channels];
    }

    public int Rank { get; }
    public StockLayers Stock { get; }
    /// <summary>A[j, i]: rank j, input channel i.</summary>
    public float[] A { get; }
    /// <summary>B transposed, Bt[j, o]: rank j, output channel o (starts at zero, so training starts at the stock model).</summary>
    public float[] Bt { get; }
    public float[] Gain { get; }
    public float[] Shift { get; }

    public float[][] Parameters => [A, Bt, Gain, Shift];

    /// <summary>One view as the cache keeps it: the block's input x, then its convolution output z, in half precision.</summary>
    public static Half[] Pack(ReadOnlySpan<float> x, ReadOnlySpan<float> z)
    {
        const int n = Positions * Channels;
        if (x.Length != n || z.Length != n) throw new ArgumentException($"x and z are {n} values each (7×7×1024).");
        var view = new Half[ViewLength];
        TensorPrimitives.ConvertToHalf(x, view.AsSpan(0, n));
        TensorPrimitives.ConvertToHalf(z, view.AsSpan(n));
        return view;
    }
    public static readonly bool[] Decays = [true, true, false, false];

    public LastBlockAdapter Clone()
    {
        var copy = new LastBlockAdapter(Rank, Stock);
        foreach (var (from, to) in Parameters.Zip(copy.Parameters)) from.CopyTo(to, 0);
        return copy;
    }

    /// <summary>Per-thread buffers of one forward/backward pass.</summary>
    public sealed class Scratch(int rank)
    {
        public readonly float[] X = new float[Positions * Channels], Z = new float[Positions * Channels];
        public readonly float[] U = new float[Positions * rank], Pre = new float[Positions * Channels], H = new float[Positions * Channels];
        public readonly float[] Feats = new float[FeatsWidth], Ages = new float[BackboneFeatures.AgeBins];
        public readonly float[] DeltaDescriptor = new float[Channels], DeltaFeats = new float[FeatsWidth], DeltaAgeLogits = new float[BackboneFeatures.AgeBins];
        public readonly float[] DeltaH = new float[Channels], DeltaU = new float[rank];
        public float Male;
    }

    /// <summary>Features (<see cref="BackboneFeatures"/> layout) of one cached view, keeping what backward needs in <paramref name="s"/>.</summary>
    public void Forward(ReadOnlySpan<Half> view, Scratch s, Span<float> features)
    {
        const int n = Positions * Channels;
        TensorPrimitives.ConvertToSingle(view[..n], s.X);
        TensorPrimitives.ConvertToSingle(view[n..(2 * n)], s.Z);
        var descriptor = features[..Channels];
        descriptor.Clear();
        var bias = Stock.Bias;
        for (int p = 0; p < Positions; p++)
        {
            var x = s.X.AsSpan(p * Channels, Channels);
            var pre = s.Pre.AsSpan(p * Channels, Channels);
            var h = s.H.AsSpan(p * Channels, Channels);
            s.Z.AsSpan(p * Channels, Channels).CopyTo(pre);
            for (int j = 0; j < Rank; j++)
            {
                float u = TensorPrimitives.Dot(A.AsSpan(j * Channels, Channels), x);
                s.U[p * Rank + j] = u;
                TensorPrimitives.MultiplyAdd(Bt.AsSpan(j * Channels, Channels), u, pre, pre);
            }
            TensorPrimitives.Multiply(pre, Gain, h);
            TensorPrimitives.Add(h, bias, h);
            TensorPrimitives.Add(h, Shift, h);
            for (int o = 0; o < Channels; o++) descriptor[o] += Math.Clamp(h[o], 0f, 6f);
        }
        TensorPrimitives.Divide(descriptor, Positions, descriptor);
        s.Male = Stock.Forward(descriptor, s.Feats, s.Ages);
        s.Ages.CopyTo(features.Slice(Channels, BackboneFeatures.AgeBins));
        features[^1] = s.Male;
    }

    /// <summary>Adds the block's gradients for d(loss)/d(features) <paramref name="deltaFeatures"/> of the last <see cref="Forward"/> with <paramref name="s"/>.</summary>
    public void Backward(ReadOnlySpan<float> deltaFeatures, Scratch s, float[][] gradients)
    {
        var (gA, gBt, gGain, gShift) = (gradients[0], gradients[1], gradients[2], gradients[3]);
        var dd = s.DeltaDescriptor;
        deltaFeatures[..Channels].CopyTo(dd);
        Stock.Backward(deltaFeatures.Slice(Channels, BackboneFeatures.AgeBins), deltaFeatures[^1], s, dd);
        TensorPrimitives.Divide(dd, Positions, dd);
        var dh = s.DeltaH;
        for (int p = 0; p < Positions; p++)
        {
            var h = s.H.AsSpan(p * Channels, Channels);
            var pre = s.Pre.AsSpan(p * Channels, Channels);
            bool any = false;
            for (int o = 0; o < Channels; o++)
            {
                // relu6 passes the gradient only strictly inside (0, 6).
                float g = h[o] > 0 && h[o] < 6 ? dd[o] : 0;
                dh[o] = g;
                any |= g != 0;
            }
            if (!any) continue;
            TensorPrimitives.Add(gShift, dh, gShift);
            TensorPrimitives.MultiplyAdd(dh, pre, gGain, gGain);
            TensorPrimitives.Multiply(dh, Gain, dh);
            var x = s.X.AsSpan(p * Channels, Channels);
            for (int j = 0; j < Rank; j++)
            {
                TensorPrimitives.MultiplyAdd(dh, s.U[p * Rank + j], gBt.AsSpan(j * Channels, Channels), gBt.AsSpan(j * Channels, Channels));
                float du = TensorPrimitives.Dot(Bt.AsSpan(j * Channels, Channels), dh);
                if (du != 0) TensorPrimitives.MultiplyAdd(x, du, gA.AsSpan(j * Channels, Channels), gA.AsSpan(j * Channels, Channels));
            }
        }
    }

    /// <summary>Random A (small, seeded) and zero B: the adapter starts as the identity update.</summary>
    public void Initialize(Random random)
    {
        double std = 1 / Math.Sqrt(Channels);
        for (int i = 0; i < A.Length; i++) A[i] = (float)(HeadTrainer.Normal(random) * std);
        Array.Clear(Bt);
        Array.Fill(Gain, 1f);
        Array.Clear(Shift);
    }

    /// <summary>The block's new 1×1 kernel (TF.js HWIO [1,1,in,out], in-major) and bias with the update folded in.</summary>
    public (float[] Kernel, float[] Bias) Folded(ReadOnlySpan<float> kernel)
    {
        if (kernel.Length != Channels * Channels) throw new ArgumentException($"Expected a {Channels}×{Channels} kernel.");
        var folded = new float[Channels * Channels];
        var column = new float[Channels];
        for (int i = 0; i < Channels; i++)
        {
            var row = folded.AsSpan(i * Channels, Channels);
            kernel.Slice(i * Channels, Channels).CopyTo(row);
            for (int j = 0; j < Rank; j++) TensorPrimitives.MultiplyAdd(Bt.AsSpan(j * Channels, Channels), A[j * Channels + i], row, row);
            TensorPrimitives.Multiply(row, Gain, row);
        }
        var bias = new float[Channels];
        TensorPrimitives.Add(Stock.Bias, Shift, bias);
        return (folded, bias);
    }
}

/// <summary>
/// faceres-deep's own frozen layers after its descriptor: feats (1024 → 256, ReLU), age_pred (256 → 100,
/// softmax), gender_pred (256 → 1, sigmoid), and the last block's bias; weights in TF.js layout (in-major).
/// </summary>
public sealed record StockLayers(float[] Bias, float[] FeatsKernel, float[] FeatsBias, float[] AgeKernel, float[] AgeBias, float[] GenderKernel, float[] GenderBias)
{
    private const int D = LastBlockAdapter.Channels, F = LastBlockAdapter.FeatsWidth, K = BackboneFeatures.AgeBins;

    /// <summary>Age probabilities into <paramref name="ages"/>, returns P(male); <paramref name="feats"/> keeps the hidden layer.</summary>
    public float Forward(ReadOnlySpan<float> descriptor, Span<float> feats, Span<float> ages)
    {
        FeatsBias.CopyTo(feats);
        for (int i = 0; i < D; i++)
            if (descriptor[i] != 0) TensorPrimitives.MultiplyAdd(FeatsKernel.AsSpan(i * F, F), descriptor[i], feats, feats);
        for (int j = 0; j < F; j++) feats[j] = Math.Max(0, feats[j]);
        AgeBias.CopyTo(ages);
        for (int j = 0; j < F; j++)
            if (feats[j] != 0) TensorPrimitives.MultiplyAdd(AgeKernel.AsSpan(j * K, K), feats[j], ages, ages);
        TensorPrimitives.SoftMax(ages, ages);
        float logit = TensorPrimitives.Dot(GenderKernel, feats) + GenderBias[0];
        return 1f / (1f + MathF.Exp(-logit));
    }

    /// <summary>Adds to <paramref name="deltaDescriptor"/> the gradient through these layers from d(loss)/d(ages) and d(loss)/d(male).</summary>
    internal void Backward(ReadOnlySpan<float> deltaAges, float deltaMale, LastBlockAdapter.Scratch s, Span<float> deltaDescriptor)
    {
        var p = s.Ages;
        float dot = TensorPrimitives.Dot(p, deltaAges);
        var dLogits = s.DeltaAgeLogits;
        for (int k = 0; k < K; k++) dLogits[k] = p[k] * (deltaAges[k] - dot);
        float dMaleLogit = deltaMale * s.Male * (1 - s.Male);
        var dFeats = s.DeltaFeats;
        for (int j = 0; j < F; j++)
            dFeats[j] = s.Feats[j] > 0 ? TensorPrimitives.Dot(AgeKernel.AsSpan(j * K, K), dLogits) + GenderKernel[j] * dMaleLogit : 0;
        for (int i = 0; i < D; i++) deltaDescriptor[i] += TensorPrimitives.Dot(FeatsKernel.AsSpan(i * F, F), dFeats);
    }

    /// <summary>The layers as the TF.js model stores them.</summary>
    public static StockLayers From(IReadOnlyDictionary<string, float[]> weights) => new(
        weights[LastBlockAdapter.BiasWeight], weights["feats/kernel"], weights["feats/bias"], weights["age_pred/kernel"], weights["age_pred/bias"],
        weights["gender_pred/kernel"], weights["gender_pred/bias"]);

    public static readonly string[] WeightNames = [LastBlockAdapter.BiasWeight, "feats/kernel", "feats/bias", "age_pred/kernel", "age_pred/bias", "gender_pred/kernel", "gender_pred/bias", LastBlockAdapter.KernelWeight];
}

using System.Numerics.Tensors;
using FaceAge.Core.Analysis;

namespace FaceAge.Training;

/// <summary>
/// The forward and backward pass of a <see cref="HeadNetwork"/> over one batch of standardized rows, as matrix work
/// that keeps each weight row in cache while it meets every row of the batch (and shares the work over the cores by
/// weight row, so the result does not depend on the number of threads). Adds the batch's gradients; returns its loss.
/// </summary>
internal sealed class HeadBatchStep
{
    private readonly HeadNetwork _net;
    private readonly float[] _x, _hidden, _age, _male, _deltaAge, _deltaMale, _deltaHidden;
    private readonly double[] _loss;

    public HeadBatchStep(HeadNetwork net, int capacity)
    {
        _net = net;
        _x = new float[capacity * net.Inputs];
        _hidden = new float[capacity * net.Width];
        _age = new float[capacity * HeadNetwork.AgeBins];
        _deltaAge = new float[capacity * HeadNetwork.AgeBins];
        _male = new float[capacity];
        _deltaMale = new float[capacity];
        _deltaHidden = new float[capacity * net.Width];
        _loss = new double[capacity];
    }

    /// <summary>Row <paramref name="b"/> of the batch input, to be filled before <see cref="Run"/>.</summary>
    public Span<float> Input(int b) => _x.AsSpan(b * _net.Inputs, _net.Inputs);

    public double Run(int count, AgeTarget[] targets, Gender?[] genders, float[] ageWeights, float[] genderWeights, double expectationWeight,
        float[][] gradients)
    {
        var net = _net;
        int d = net.Inputs, w = net.Width, bins = HeadNetwork.AgeBins;
        var (gW1, gB1, gWAge, gBAge, gWMale, gBMale) = (gradients[0], gradients[1], gradients[2], gradients[3], gradients[4], gradients[5]);

        // Hidden layer, one weight row against every row of the batch.
        if (net.Hidden > 0)
            Parallel.For(0, net.Hidden, j =>
            {
                var row = net.W1.AsSpan(j * d, d);
                for (int b = 0; b < count; b++) _hidden[b * w + j] = Math.Max(0, TensorPrimitives.Dot(row, _x.AsSpan(b * d, d)) + net.B1[j]);
            });
        else _x.AsSpan(0, count * d).CopyTo(_hidden);

        // Outputs, losses and output deltas, row by row.
        Parallel.For(0, count, b =>
        {
            var h = _hidden.AsSpan(b * w, w);
            var age = _age.AsSpan(b * bins, bins);
            for (int k = 0; k < bins; k++) age[k] = TensorPrimitives.Dot(net.WAge.AsSpan(k * w, w), h) + net.BAge[k];
            TensorPrimitives.SoftMax(age, age);
            _male[b] = 1f / (1f + MathF.Exp(-(TensorPrimitives.Dot(net.WMale, h) + net.BMale[0])));
            double loss = 0;
            var deltaAge = _deltaAge.AsSpan(b * bins, bins);
            var target = targets[b];
            if (target.HasAge)
            {
                // d(cross-entropy)/d(logit_k) = p_k − t_k; d|E − y|/d(logit_k) = sign · p_k (k − E) (AgeTarget: exact age or group).
                var p = age.ToArray();
                double expected = HeadNetwork.ExpectedAge(p);
                float sign = target.ExpectationSign(expected) * (float)expectationWeight;
                loss += ageWeights[b] * (target.CrossEntropy(p) + expectationWeight * target.Distance(expected));
                var t = target.Soft(p);
                for (int k = 0; k < bins; k++) deltaAge[k] = ageWeights[b] * (p[k] - t[k] + sign * p[k] * (float)(k - expected));
            }
            else deltaAge.Clear();
            _deltaMale[b] = 0;
            if (genders[b] is { } g)
            {
                float y = g == Gender.Male ? 1 : 0, q = _male[b];
                loss -= genderWeights[b] * (y * Math.Log(Math.Max(q, 1e-7f)) + (1 - y) * Math.Log(Math.Max(1 - q, 1e-7f)));
                _deltaMale[b] = genderWeights[b] * (q - y);
            }
            _loss[b] = loss;
            // Back into the hidden layer (ReLU passes no gradient where it was off).
            if (net.Hidden > 0)
            {
                var deltaHidden = _deltaHidden.AsSpan(b * w, w);
                deltaHidden.Clear();
                for (int k = 0; k < bins; k++)
                    if (deltaAge[k] != 0) TensorPrimitives.MultiplyAdd(net.WAge.AsSpan(k * w, w), deltaAge[k], deltaHidden, deltaHidden);
                if (_deltaMale[b] != 0) TensorPrimitives.MultiplyAdd(net.WMale, _deltaMale[b], deltaHidden, deltaHidden);
                for (int j = 0; j < w; j++) if (h[j] <= 0) deltaHidden[j] = 0;
            }
        });

        // Output layer gradients, one weight row at a time.
        Parallel.For(0, bins + 1, k =>
        {
            var grad = k < bins ? gWAge.AsSpan(k * w, w) : gWMale.AsSpan();
            float bias = 0;
            for (int b = 0; b < count; b++)
            {
                float delta = k < bins ? _deltaAge[b * bins + k] : _deltaMale[b];
                if (delta == 0) continue;
                TensorPrimitives.MultiplyAdd(_hidden.AsSpan(b * w, w), delta, grad, grad);
                bias += delta;
            }
            if (k < bins) gBAge[k] += bias; else gBMale[0] += bias;
        });

        // Hidden layer gradients.
        if (net.Hidden > 0)
            Parallel.For(0, net.Hidden, j =>
            {
                var grad = gW1.AsSpan(j * d, d);
                float bias = 0;
                for (int b = 0; b < count; b++)
                {
                    float delta = _deltaHidden[b * w + j];
                    if (delta == 0) continue;
                    TensorPrimitives.MultiplyAdd(_x.AsSpan(b * d, d), delta, grad, grad);
                    bias += delta;
                }
                gB1[j] += bias;
            });

        double total = 0;
        for (int b = 0; b < count; b++) total += _loss[b];
        return total;
    }
}

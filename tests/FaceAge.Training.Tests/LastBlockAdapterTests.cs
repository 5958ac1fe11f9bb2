using FaceAge.Core.Estimation;
using FaceAge.Training;

namespace FaceAge.Training.Tests;

public class LastBlockAdapterTests
{
    private const int C = LastBlockAdapter.Channels, P = LastBlockAdapter.Positions, F = LastBlockAdapter.FeatsWidth, K = BackboneFeatures.AgeBins;

    private static float[] Random(Random r, int n, double scale, double offset = 0) =>
        Enumerable.Range(0, n).Select(_ => (float)(offset + (r.NextDouble() * 2 - 1) * scale)).ToArray();

    private static StockLayers Stock(Random r) => new(Random(r, C, 0.5), Random(r, C * F, 0.05), Random(r, F, 0.1), Random(r, F * K, 0.2), Random(r, K, 0.1),
        Random(r, F, 0.2), Random(r, 1, 0.1));

    /// <summary>A view as the cache holds it: x (the block's input, relu6 range) then z (the convolution output).</summary>
    private static Half[] View(Random r) => Random(r, P * C, 3, 3).Concat(Random(r, P * C, 2)).Select(v => (Half)v).ToArray();

    [Fact]
    public void At_its_start_the_adapter_gives_the_stock_descriptor_and_outputs()
    {
        var r = new Random(1);
        var stock = Stock(r);
        var view = View(r);
        var adapter = new LastBlockAdapter(8, stock);
        adapter.Initialize(new Random(2));
        var features = new float[BackboneFeatures.Length];
        adapter.Forward(view, new LastBlockAdapter.Scratch(8), features);

        // By hand: descriptor = mean over positions of relu6(z + bias); then the stock layers.
        var descriptor = new double[C];
        for (int p = 0; p < P; p++)
            for (int o = 0; o < C; o++) descriptor[o] += Math.Clamp((double)(float)view[P * C + p * C + o] + stock.Bias[o], 0, 6) / P;
        for (int o = 0; o < C; o++) Assert.Equal(descriptor[o], features[o], 4);
        var feats = new double[F];
        for (int j = 0; j < F; j++)
        {
            double sum = stock.FeatsBias[j];
            for (int i = 0; i < C; i++) sum += descriptor[i] * stock.FeatsKernel[i * F + j];
            feats[j] = Math.Max(0, sum);
        }
        double logit = stock.GenderBias[0] + Enumerable.Range(0, F).Sum(j => feats[j] * stock.GenderKernel[j]);
        Assert.Equal(1 / (1 + Math.Exp(-logit)), features[^1], 4);
        var logits = Enumerable.Range(0, K).Select(k => stock.AgeBias[k] + Enumerable.Range(0, F).Sum(j => feats[j] * stock.AgeKernel[j * K + k])).ToArray();
        double max = logits.Max(), z = logits.Sum(l => Math.Exp(l - max));
        for (int k = 0; k < K; k++) Assert.Equal(Math.Exp(logits[k] - max) / z, features[C + k], 4);
    }

    [Fact]
    public void Backward_matches_finite_differences_for_every_kind_of_parameter()
    {
        var r = new Random(3);
        var stock = Stock(r);
        var view = View(r);
        var adapter = new LastBlockAdapter(4, stock);
        adapter.Initialize(new Random(4));
        // Move off the start so every path carries gradient.
        for (int i = 0; i < adapter.Bt.Length; i++) adapter.Bt[i] = (float)(r.NextDouble() - 0.5) * 0.1f;
        for (int i = 0; i < C; i++) { adapter.Gain[i] = 1 + (float)(r.NextDouble() - 0.5) * 0.2f; adapter.Shift[i] = (float)(r.NextDouble() - 0.5) * 0.2f; }
        // Loss = w · features, with weights on descriptor, age probabilities and P(male).
        var w = Random(r, BackboneFeatures.Length, 1);
        var scratch = new LastBlockAdapter.Scratch(adapter.Rank);
        var features = new float[BackboneFeatures.Length];
        double Loss()
        {
            adapter.Forward(view, scratch, features);
            double sum = 0;
            for (int k = 0; k < features.Length; k++) sum += (double)w[k] * features[k];
            return sum;
        }
        Loss();
        var gradients = adapter.Parameters.Select(p => new float[p.Length]).ToArray();
        adapter.Backward(w, scratch, gradients);

        var names = new[] { "A", "Bt", "Gain", "Shift" };
        for (int p = 0; p < 4; p++)
        {
            var parameter = adapter.Parameters[p];
            // The entries with the largest analytic gradient, where a finite difference is well above float noise.
            foreach (int i in Enumerable.Range(0, parameter.Length).OrderByDescending(i => Math.Abs(gradients[p][i])).Take(4))
            {
                float keep = parameter[i];
                const float h = 1e-2f;
                parameter[i] = keep + h;
                double up = Loss();
                parameter[i] = keep - h;
                double down = Loss();
                parameter[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - gradients[p][i]) <= 0.03 * Math.Abs(numeric) + 1e-3,
                    $"{names[p]}[{i}]: analytic {gradients[p][i]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void The_folded_kernel_computes_what_the_adapter_computes()
    {
        var r = new Random(5);
        var stock = Stock(r);
        var adapter = new LastBlockAdapter(3, stock);
        adapter.Initialize(new Random(6));
        for (int i = 0; i < adapter.Bt.Length; i++) adapter.Bt[i] = (float)(r.NextDouble() - 0.5);
        for (int i = 0; i < C; i++) { adapter.Gain[i] = 1.1f; adapter.Shift[i] = 0.3f; }
        var kernel = Random(r, C * C, 0.05);
        var x = Random(r, C, 3, 3);
        var (folded, bias) = adapter.Folded(kernel);
        for (int o = 0; o < C; o += 97)
        {
            double z = 0, bax = 0, direct = bias[o];
            for (int i = 0; i < C; i++)
            {
                z += kernel[i * C + o] * x[i];
                direct += folded[i * C + o] * x[i];
            }
            for (int j = 0; j < adapter.Rank; j++)
            {
                double ax = 0;
                for (int i = 0; i < C; i++) ax += adapter.A[j * C + i] * x[i];
                bax += adapter.Bt[j * C + o] * ax;
            }
            double adapted = adapter.Gain[o] * (z + bax) + stock.Bias[o] + adapter.Shift[o];
            Assert.Equal(adapted, direct, 3);
        }
    }
}

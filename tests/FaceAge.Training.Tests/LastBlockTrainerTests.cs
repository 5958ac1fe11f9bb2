using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Training;

namespace FaceAge.Training.Tests;

public class LastBlockTrainerTests
{
    private const int C = LastBlockAdapter.Channels, P = LastBlockAdapter.Positions, F = LastBlockAdapter.FeatsWidth, K = BackboneFeatures.AgeBins;

    /// <summary>
    /// Stock layers that pass the descriptor's first 64 channels through feats (identity), and a block whose frozen
    /// convolution output z is noise: the frozen features say nothing about the age.
    /// </summary>
    private static StockLayers BlindStock()
    {
        var feats = new float[C * F];
        for (int i = 0; i < 64; i++) feats[i * F + i] = 1;
        return new StockLayers(Enumerable.Repeat(1f, C).ToArray(), feats, new float[F], new float[F * K], new float[K], new float[F], new float[1]);
    }

    /// <summary>Age 20–60 is carried by the block's input x (channels 0–7, all positions); z is noise.</summary>
    private static List<LastBlockSample> Samples(int n, int seed)
    {
        var r = new Random(seed);
        var list = new List<LastBlockSample>();
        for (int s = 0; s < n; s++)
        {
            double t = r.NextDouble();
            var view = new Half[LastBlockAdapter.ViewLength];
            for (int p = 0; p < P; p++)
                for (int c = 0; c < C; c++)
                {
                    view[p * C + c] = (Half)(c < 8 ? 6 * t : 0.2 * r.NextDouble());
                    view[P * C + p * C + c] = (Half)(r.NextDouble() - 0.5);
                }
            list.Add(new LastBlockSample([view], 20 + 40 * t, s % 2 == 0 ? Gender.Male : Gender.Female));
        }
        return list;
    }

    private static readonly HeadTrainingOptions Head = new() { Hidden = 16, MaxEpochs = 15, Patience = 15, BatchSize = 16, LearningRate = 3e-3, InputDropout = 0, Seed = 3 };
    private static readonly LastBlockOptions Block = new() { Rank = 2, LearningRate = 1e-2, MaxEpochs = 15, Patience = 15 };

    [Fact]
    public void Fine_tuning_the_block_learns_what_the_frozen_features_cannot_see()
    {
        var stock = BlindStock();
        var result = LastBlockTrainer.Train(Samples(160, 1), Samples(40, 2), stock, Head, Block);
        // Head only: the features are constant, so the best it can do is about the mean age (MAE ≈ 10 for uniform 20–60).
        Assert.InRange(result.Probe.ValidationMae, 7, 14);
        Assert.True(result.BestEpoch > 0);
        Assert.True(result.ValidationMae < result.Probe.ValidationMae * 0.6, $"head only {result.Probe.ValidationMae:0.00}, with the block {result.ValidationMae:0.00}");
        var (mae, _) = LastBlockTrainer.Evaluate(result.Adapter, result.Head, Samples(40, 2));
        Assert.Equal(result.ValidationMae, mae, 6);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_whatever_the_threads_do()
    {
        var stock = BlindStock();
        var options = Block with { MaxEpochs = 2 };
        var a = LastBlockTrainer.Train(Samples(48, 1), Samples(16, 2), stock, Head with { MaxEpochs = 2 }, options);
        var b = LastBlockTrainer.Train(Samples(48, 1), Samples(16, 2), stock, Head with { MaxEpochs = 2 }, options);
        Assert.Equal(a.Adapter.Bt, b.Adapter.Bt);
        Assert.Equal(a.Head.WAge, b.Head.WAge);
        Assert.Equal(a.ValidationMae, b.ValidationMae);
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => LastBlockTrainer.Train(Samples(4, 1), Samples(2, 2), BlindStock(), Head, Block with { Rank = 0 }));
        Assert.Contains("--rank", e.Message);
    }
}

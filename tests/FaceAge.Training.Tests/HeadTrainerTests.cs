using FaceAge.Core.Analysis;

namespace FaceAge.Training.Tests;

public class HeadTrainerTests
{
    /// <summary>Synthetic faces: age and gender are written (with noise) into a few of 40 feature values.</summary>
    private static List<HeadSample> Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new List<HeadSample>();
        for (int i = 0; i < count; i++)
        {
            double age = random.Next(1, 90);
            var gender = random.Next(2) == 0 ? Gender.Female : Gender.Male;
            var v = Enumerable.Range(0, 40).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            v[0] = (float)(age / 30 + random.NextDouble() * 0.1);
            v[1] = (float)(Math.Sqrt(age) + random.NextDouble() * 0.1);
            v[2] = (gender == Gender.Male ? 1 : -1) + (float)(random.NextDouble() - 0.5);
            samples.Add(new HeadSample([v], age, gender));
        }
        return samples;
    }

    private static readonly HeadTrainingOptions Quick = new() { Hidden = 16, MaxEpochs = 40, Patience = 5, InputDropout = 0, BatchSize = 32,
        LearningRate = 3e-3 };

    [Fact]
    public void Training_learns_age_and_gender_from_features_that_hold_them()
    {
        var train = Synthetic(1500, seed: 1);
        var validation = Synthetic(300, seed: 2);
        var result = HeadTrainer.Train(train, validation, Quick);

        // Predicting the mean age would give an MAE of about 22 years here.
        var m = result.Validation.ByDataset.Single().Metrics;
        Assert.True(m.Mae < 4, $"validation MAE {m.Mae:0.00}");
        Assert.True(m.GenderAccuracy > 0.95, $"gender {m.GenderAccuracy:P1}");
        Assert.Equal(result.BestEpoch, result.History.MinBy(e => e.Validation.Score)!.Epoch);
        // The score is the MAE plus 10 years per unit of gender error (one data set).
        Assert.Equal(m.Mae + ValidationScore.GenderErrorYears * (1 - m.GenderAccuracy), result.Validation.Score, 6);
        var again = ValidationScore.Of(validation.Select(s => CrossValidation.Predict(result.Head, s)).ToList(), validation);
        Assert.Equal(result.Validation.Score, again.Score, 6);
    }

    [Fact]
    public void The_same_seed_gives_the_same_head_and_another_seed_a_different_one()
    {
        var train = Synthetic(300, seed: 1);
        var validation = Synthetic(60, seed: 2);
        var options = Quick with { MaxEpochs = 3, InputDropout = 0.2 };
        var a = HeadTrainer.Train(train, validation, options);
        var b = HeadTrainer.Train(train, validation, options);
        var c = HeadTrainer.Train(train, validation, options with { Seed = 2 });
        Assert.Equal(a.Head.WAge, b.Head.WAge);
        Assert.NotEqual(a.Head.WAge, c.Head.WAge);
    }

    [Fact]
    public void Early_stopping_keeps_the_best_epoch_and_stops_after_the_patience()
    {
        // Labels unrelated to the features: validation cannot improve for long.
        var random = new Random(5);
        List<HeadSample> Noise(int n) => Enumerable.Range(0, n).Select(_ => new HeadSample(
            [Enumerable.Range(0, 20).Select(_ => random.NextSingle()).ToArray()], (double)random.Next(1, 90), Gender.Male)).ToList();
        var result = HeadTrainer.Train(Noise(200), Noise(50), Quick with { MaxEpochs = 200, Patience = 3 });
        Assert.True(result.History.Count < 200);
        Assert.Equal(result.BestEpoch + 3, result.History.Count);
    }

    [Fact]
    public void Gaussian_targets_sum_to_one_and_peak_at_the_age()
    {
        var t = HeadTrainer.GaussianTarget(30, 2.5);
        Assert.Equal(HeadNetwork.AgeBins, t.Length);
        Assert.Equal(1.0, t.Sum(), 5);
        Assert.Equal(30, Array.IndexOf(t, t.Max()));
        Assert.Equal(t[28], t[32], 6);
        // exp(−0.5 (2/2.5)²) = 0.7261 of the peak two years away.
        Assert.Equal(0.7261, t[28] / t[30], 3);
    }

    [Fact]
    public void Age_weights_favour_rare_age_bins_by_the_chosen_power()
    {
        // Three faces aged 20–24 and one aged 70: counts 3 and 1.
        var w = HeadTrainer.AgeWeights([20, 21, 23, 70], power: 1);
        // Raw 1/3, 1/3, 1/3, 1 → mean 0.5 → 2/3, 2/3, 2/3, 2.
        Assert.Equal([2f / 3, 2f / 3, 2f / 3, 2f], w.Select(x => (float)Math.Round(x, 5)).ToArray(), new FloatTolerance());
        Assert.All(HeadTrainer.AgeWeights([20, 21, 23, 70], power: 0), x => Assert.Equal(1f, x, 5));
    }

    [Fact]
    public void Gender_weights_balance_the_two_genders_and_ignore_unlabelled_faces()
    {
        var w = HeadTrainer.GenderWeights([Gender.Male, Gender.Male, Gender.Male, Gender.Female, null]);
        // 4 labelled: males 4/(2·3) = 0.667 each, the female 4/(2·1) = 2; together each gender sums to 2.
        Assert.Equal(0.6667f, w[0], 3);
        Assert.Equal(2f, w[3], 5);
        Assert.Equal(0f, w[4]);
        Assert.Equal(w[0] + w[1] + w[2], w[3], 4);
    }

    private sealed class FloatTolerance : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-4;
        public int GetHashCode(float obj) => 0;
    }

    [Fact]
    public void Age_groups_teach_the_head_to_put_its_age_inside_the_group()
    {
        // Only group labels (FairFace-like decades) for half the data: the head must still learn where ages lie.
        var exact = Synthetic(800, seed: 3);
        var grouped = Synthetic(800, seed: 4).Select(s => s with
        {
            Age = null,
            AgeGroup = new FaceAge.Training.Evaluation.AgeInterval((int)(s.Age!.Value / 10) * 10, (int)(s.Age!.Value / 10) * 10 + 9),
            Dataset = 1,
        }).ToList();
        var validation = Synthetic(300, seed: 5).Select(s
            => s with { Age = null, AgeGroup = new FaceAge.Training.Evaluation.AgeInterval((int)(s.Age!.Value / 10) * 10, (int)(s.Age!.Value / 10) * 10
            + 9) }).ToList();
        var onlyGroups = HeadTrainer.Train(grouped, validation, Quick);
        var m = onlyGroups.Validation.ByDataset.Single().Metrics;
        Assert.False(m.HasAges);
        // Guessing one age for all would hit about 1 decade in 9 and miss the others by 20 years on average.
        Assert.True(m.AgeGroupAccuracy > 0.7, $"group hit {m.AgeGroupAccuracy:P1}");
        Assert.True(m.IntervalMae < 1.5, $"interval MAE {m.IntervalMae:0.00}");
        var both = HeadTrainer.Train([.. exact, .. grouped], validation, Quick);
        Assert.True(both.Validation.ByDataset.Single().Metrics.AgeGroupAccuracy > 0.7);
    }

    [Fact]
    public void An_age_group_target_is_the_prediction_renormalized_inside_the_group_and_its_loss_is_minus_log_of_the_groups_mass()
    {
        var sample = new HeadSample([[0f]], null, null, new FaceAge.Training.Evaluation.AgeInterval(3, 9));
        var target = AgeTarget.Of(sample, 2.5);
        var p = new float[HeadNetwork.AgeBins];
        for (int k = 0; k < p.Length; k++) p[k] = 1f / p.Length;
        var t = target.Soft(p);
        Assert.Equal(1, t.Sum(), 5);
        Assert.All(Enumerable.Range(3, 7), k => Assert.Equal(1f / 7, t[k], 5));
        Assert.Equal(0, t[2]);
        Assert.Equal(0, t[10]);
        Assert.Equal(-Math.Log(7.0 / p.Length), target.CrossEntropy(p), 4);
        Assert.Equal(0, target.Distance(5.5));
        Assert.Equal(2, target.Distance(12), 6);   // the group ends at 10
        Assert.Equal(-1, target.ExpectationSign(1));
        Assert.False(AgeTarget.Of(new HeadSample([[0f]], null, Gender.Male), 2.5).HasAge);
    }

    [Fact]
    public void Data_set_weights_give_small_sets_more_weight_by_the_chosen_power()
    {
        var sets = Enumerable.Repeat(0, 900).Concat(Enumerable.Repeat(1, 100)).ToList();
        var none = HeadTrainer.DatasetWeights(sets, 0);
        Assert.All(none, w => Assert.Equal(1, w, 5));
        var equal = HeadTrainer.DatasetWeights(sets, 1);
        Assert.Equal(equal[0] * 900, equal[999] * 100, 2);  // each set the same total weight
        Assert.Equal(1000, equal.Sum(), 1);
        var half = HeadTrainer.DatasetWeights(sets, 0.5);
        Assert.Equal(3, half[999] / half[0], 3);           // √(900/100)
    }
}

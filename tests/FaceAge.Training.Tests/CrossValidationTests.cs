using FaceAge.Core.Analysis;

namespace FaceAge.Training.Tests;

public class CrossValidationTests
{
    private static List<HeadSample> Plain(int count, int dataset = 0)
        => Enumerable.Range(0, count).Select(i => new HeadSample([[i]], 30, null, Dataset: dataset)).ToList();

    [Fact]
    public void Folds_put_every_item_in_exactly_one_fold_of_near_equal_size_and_depend_on_the_seed()
    {
        var samples = Plain(103);
        var folds = CrossValidation.Folds(samples, 5, seed: 1);
        Assert.Equal(103, folds.Length);
        var sizes = folds.GroupBy(f => f).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal([21, 21, 21, 20, 20], sizes);
        Assert.Equal(folds, CrossValidation.Folds(samples, 5, seed: 1));
        Assert.NotEqual(folds, CrossValidation.Folds(samples, 5, seed: 2));
    }

    [Fact]
    public void One_persons_photos_share_a_fold_and_every_data_set_is_spread_over_all_folds()
    {
        // Data set 0: 300 single photos; data set 1: 40 people with 1–8 photos each (FG-NET-like).
        var random = new Random(4);
        var samples = Plain(300);
        for (int person = 0; person < 40; person++)
            for (int photo = 0, n = random.Next(1, 9); photo < n; photo++)
                samples.Add(new HeadSample([[photo]], random.Next(0, 60), null, Dataset: 1, Group: $"p{person}"));

        var folds = CrossValidation.Folds(samples, 5, seed: 1);

        foreach (var person in samples.Where(s => s.Group is not null).GroupBy(s => s.Group))
            Assert.Single(person.Select(s => folds[samples.IndexOf(s)]).Distinct());
        foreach (var set in new[] { 0, 1 })
        {
            var sizes = Enumerable.Range(0, samples.Count).Where(i => samples[i].Dataset == set).GroupBy(i => folds[i]).Select(g => g.Count()).ToList();
            Assert.Equal(5, sizes.Count);
            int total = sizes.Sum();
            Assert.All(sizes, n => Assert.InRange(n, total / 5 - 8, total / 5 + 8));
        }
    }

    [Fact]
    public void A_split_is_disjoint_complete_grouped_and_the_validation_share_of_each_data_set()
    {
        var samples = Plain(200).Concat(Enumerable.Range(0, 100).Select(i => new HeadSample([[i]], 10, null, Dataset: 1, Group: $"p{i / 4}"))).ToList();
        var (train, validation) = CrossValidation.Split(samples, 0.1, seed: 3);
        Assert.Equal(20, validation.Count(i => samples[i].Dataset == 0));
        Assert.InRange(validation.Count(i => samples[i].Dataset == 1), 10, 12);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, 300), train.Concat(validation).Order());
        var heldPeople = validation.Where(i => samples[i].Group is not null).Select(i => samples[i].Group).ToHashSet();
        Assert.DoesNotContain(train, i => samples[i].Group is { } g && heldPeople.Contains(g));
    }

    [Fact]
    public void Cross_validation_predicts_every_sample_once_with_a_head_that_did_not_see_it()
    {
        var random = new Random(1);
        var samples = Enumerable.Range(0, 250).Select(_ =>
        {
            double age = random.Next(5, 80);
            var v = Enumerable.Range(0, 10).Select(_ => random.NextSingle()).ToArray();
            v[0] = (float)(age / 40);
            return new HeadSample([v], age, age > 40 ? Gender.Male : Gender.Female);
        }).ToList();
        var (predictions, folds) = CrossValidation.Run(samples, 5, seed: 1, validationFraction: 0.1,
            new HeadTrainingOptions { Hidden = 8, MaxEpochs = 80, Patience = 6, InputDropout = 0, LearningRate = 3e-3, BatchSize = 16 });

        Assert.Equal(250, predictions.Length);
        Assert.All(predictions, p => Assert.NotNull(p));
        Assert.Equal(samples.Select(s => s.Age!.Value), predictions.Select(p => p.TrueAge!.Value));
        Assert.Equal(5, folds.Count);
        Assert.Equal(250, folds.Sum(f => f.TestImages));
        Assert.All(folds, f => Assert.Equal(200, f.TrainImages + f.ValidationImages));
        // The age is written into one feature; predicting the mean age would be ~19 years off.
        double mae = predictions.Average(p => Math.Abs(p.PredictedAge - p.TrueAge!.Value));
        Assert.True(mae < 6, $"cross-validated MAE {mae:0.00}");
    }
}

using FaceAge.Core.Analysis;
using FaceAge.Training;

namespace FaceAge.Training.Tests;

public class CrossValidationTests
{
    [Fact]
    public void Folds_put_every_item_in_exactly_one_fold_of_near_equal_size_and_depend_on_the_seed()
    {
        var folds = CrossValidation.Folds(103, 5, seed: 1);
        Assert.Equal(103, folds.Length);
        var sizes = folds.GroupBy(f => f).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal([21, 21, 21, 20, 20], sizes);
        Assert.Equal(folds, CrossValidation.Folds(103, 5, seed: 1));
        Assert.NotEqual(folds, CrossValidation.Folds(103, 5, seed: 2));
    }

    [Fact]
    public void A_split_is_disjoint_complete_and_the_validation_share_asked_for()
    {
        var (train, validation) = CrossValidation.Split(200, 0.1, seed: 3);
        Assert.Equal(20, validation.Length);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, 200), train.Concat(validation).Order());
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
        Assert.Equal(samples.Select(s => s.Age), predictions.Select(p => p.TrueAge!.Value));
        Assert.Equal(5, folds.Count);
        Assert.Equal(250, folds.Sum(f => f.TestImages));
        Assert.All(folds, f => Assert.Equal(200, f.TrainImages + f.ValidationImages));
        // The age is written into one feature; predicting the mean age would be ~19 years off.
        double mae = predictions.Average(p => Math.Abs(p.PredictedAge - p.TrueAge!.Value));
        Assert.True(mae < 6, $"cross-validated MAE {mae:0.00}");
    }
}

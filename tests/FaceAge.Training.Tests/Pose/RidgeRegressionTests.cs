using FaceAge.Training.Pose;

namespace FaceAge.Training.Tests.Pose;

public class RidgeRegressionTests
{
    [Fact]
    public void A_small_penalty_recovers_the_weights_and_intercept_of_noiseless_linear_data()
    {
        var random = new Random(5);
        double[] truth = [2, -1, 0.5];
        var rows = Enumerable.Range(0, 200).Select(_ => truth.Select(_ => random.NextDouble() * 4 - 2).ToArray()).ToList();
        var targets = rows.Select(r => 3 + r.Select((x, j) => x * truth[j]).Sum()).ToList();
        var w = RidgeRegression.Fit(rows, targets, 1e-9);
        for (int j = 0; j < truth.Length; j++) Assert.Equal(truth[j], w[j], 6);
        Assert.Equal(3, w[^1], 6);
        Assert.Equal(targets[7], RidgeRegression.Predict(w, rows[7]), 6);
    }

    [Fact]
    public void A_larger_penalty_shrinks_the_weights_but_not_the_intercept_and_copes_with_a_constant_feature()
    {
        var random = new Random(6);
        var rows = Enumerable.Range(0, 100).Select(_ => new[] { random.NextDouble(), 1.0 }).ToList();
        var targets = rows.Select(r => 10 + 4 * r[0]).ToList();
        var free = RidgeRegression.Fit(rows, targets, 1e-6);
        var shrunk = RidgeRegression.Fit(rows, targets, 100);
        Assert.True(Math.Abs(shrunk[0]) < Math.Abs(free[0]) / 2);
        Assert.Equal(targets.Average(), RidgeRegression.Predict(shrunk, [rows.Average(r => r[0]), 1]), 6);
    }
}

using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training.Tests;

public class UncertaintyCalibrationTests
{
    [Fact]
    public void The_scale_makes_the_stated_uncertainty_hold_the_claimed_share_of_true_ages_in_each_data_set_on_average()
    {
        // Errors drawn from N(0, 2σ) while the model states σ: the calibrated ± must be about 2σ × 0.994 (the 68 % point of a normal).
        var random = new Random(3);
        var predictions = new List<Prediction>();
        var sets = new List<int>();
        for (int i = 0; i < 4000; i++)
        {
            double sd = 2 + random.NextDouble() * 6, error = 2 * sd * Normal(random);
            predictions.Add(new Prediction(40, null, 40 + error, Gender.Male, 0.9, AgeUncertainty: sd));
            sets.Add(i % 2);
        }
        double scale = UncertaintyCalibration.FitScale(predictions, sets);
        Assert.InRange(scale, 1.9, 2.1);
        var calibrated = UncertaintyCalibration.Apply(predictions, scale);
        Assert.InRange(AgeGenderMetrics.Compute(calibrated).Coverage!.Value, AgeUncertainty.ClaimedCoverage - 0.01, AgeUncertainty.ClaimedCoverage + 0.01);
        Assert.InRange(AgeGenderMetrics.Compute(predictions).Coverage!.Value, 0.35, 0.41);   // uncalibrated: about 38 %
    }

    [Fact]
    public void A_small_data_set_counts_as_much_as_a_large_one()
    {
        // Set 0 (large) states its errors right; set 1 (small) understates them 3×: the fit lands between, not at set 0's 1.0.
        var random = new Random(5);
        var predictions = new List<Prediction>();
        var sets = new List<int>();
        for (int i = 0; i < 3000; i++) { predictions.Add(new Prediction(30, null, 30 + 4 * Normal(random), Gender.Male, 0.9, AgeUncertainty: 4)); sets.Add(0); }
        for (int i = 0; i < 300; i++) { predictions.Add(new Prediction(30, null, 30 + 12 * Normal(random), Gender.Male, 0.9, AgeUncertainty: 4)); sets.Add(1); }
        Assert.InRange(UncertaintyCalibration.FitScale(predictions, sets), 1.4, 2.6);
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}

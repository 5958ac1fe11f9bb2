using FaceAge.Training.Verification;

namespace FaceAge.Training.Tests.Verification;

public class SimilarityCalibrationTests
{
    [Fact]
    public void It_recovers_the_logistic_curve_the_pairs_were_drawn_from()
    {
        // Similarities uniform in [−1, 1]; a pair is genuine with probability 1 / (1 + e^−(8s − 2)).
        var random = new Random(3);
        var genuine = new List<double>();
        var impostor = new List<double>();
        for (int i = 0; i < 200_000; i++)
        {
            double s = random.NextDouble() * 2 - 1;
            (random.NextDouble() < 1 / (1 + Math.Exp(-(8 * s - 2))) ? genuine : impostor).Add(s);
        }
        var (slope, intercept) = SimilarityCalibration.Fit(genuine, impostor);
        // Balanced classes shift the intercept by the log prior odds; the slope stays.
        double priorShift = Math.Log((double)impostor.Count / genuine.Count);
        Assert.Equal(8, slope, 0.3);
        Assert.Equal(-2 + priorShift, intercept, 0.15);
    }
}

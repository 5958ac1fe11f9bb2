using FaceAge.Training.Verification;

namespace FaceAge.Training.Tests.Verification;

public class RocCurveTests
{
    [Fact]
    public void Rates_thresholds_and_area_come_out_as_counted_by_hand()
    {
        // 10 impostors 0.0–0.9, 4 genuine pairs.
        var roc = new RocCurve([0.55, 0.75, 0.85, 0.95], Enumerable.Range(0, 10).Select(i => i / 10.0));
        Assert.Equal(0.3, roc.FalseAcceptRate(0.7), 9);      // 0.7, 0.8, 0.9
        Assert.Equal(0.75, roc.TrueAcceptRate(0.7), 9);      // 0.75, 0.85, 0.95
        // 10 % false accepts: only the top impostor (0.9) may pass.
        double t = roc.ThresholdAt(0.1);
        Assert.Equal(0.1, roc.FalseAcceptRate(t), 9);
        Assert.True(t > 0.8 && t <= 0.9);
        Assert.Equal(0.5, roc.TrueAcceptRateAt(0.1), 9);     // 0.85 and 0.95 pass a threshold just above 0.8
        Assert.Equal(0.0, roc.FalseAcceptRate(roc.ThresholdAt(0.0)), 9);
        // Genuine 0.55 beats 6 impostors, 0.75 beats 8, 0.85 beats 9, 0.95 beats 10: 33 of 40.
        Assert.Equal(33 / 40.0, roc.AreaUnderCurve(), 9);
    }

    [Fact]
    public void Separated_scores_have_no_equal_error_and_overlapping_ones_do()
    {
        Assert.Equal(0, new RocCurve([0.9, 0.8], [0.1, 0.2]).EqualErrorRate().Rate, 9);
        var (rate, _) = new RocCurve([0.1, 0.6, 0.7, 0.8], [0.2, 0.3, 0.4, 0.9]).EqualErrorRate();
        Assert.Equal(0.25, rate, 9);
    }

    [Fact]
    public void A_curve_without_genuine_or_impostor_pairs_is_refused()
        => Assert.Throws<ArgumentException>(() => new RocCurve([], [0.5]));
}

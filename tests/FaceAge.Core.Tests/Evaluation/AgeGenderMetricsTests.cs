using FaceAge.Core.Analysis;
using FaceAge.Core.Evaluation;

namespace FaceAge.Core.Tests.Evaluation;

public class AgeGenderMetricsTests
{
    [Fact]
    public void Metrics_match_a_hand_computed_case()
    {
        // true 10, 20, 30, 40; predicted 12, 17, 30, 48 → errors +2, −3, 0, +8
        var m = AgeGenderMetrics.Compute(
        [
            new Prediction(10, Gender.Female, 12, Gender.Female, 0.1),
            new Prediction(20, Gender.Male, 17, Gender.Female, 0.4),
            new Prediction(30, Gender.Male, 30, Gender.Male, 0.9),
            new Prediction(40, Gender.Female, 48, Gender.Female, 0.2),
        ]);
        Assert.Equal(4, m.N);
        Assert.Equal(13.0 / 4, m.Mae, 10);                    // (2+3+0+8)/4
        Assert.Equal(Math.Sqrt(77.0 / 4), m.Rmse, 10);        // (4+9+0+64)/4
        Assert.Equal(7.0 / 4, m.MeanSignedError, 10);         // (2−3+0+8)/4
        Assert.Equal(0.75, m.CumulativeScore5, 10);           // |e| ≤ 5 for three of four
        Assert.Equal(1 - 77.0 / 500, m.R2, 10);               // SS_tot = 225+25+25+225
        Assert.Equal(0.75, m.GenderAccuracy, 10);
        Assert.Equal(["10-19", "20-29", "30-39", "40-49"], m.ByDecade.Select(d => d.Decade));
        Assert.Equal(8, m.ByDecade[3].Mae, 10);
    }

    [Fact]
    public void Rows_without_age_count_only_for_gender()
    {
        var m = AgeGenderMetrics.Compute([new Prediction(null, Gender.Male, 30, Gender.Male, 0.8), new Prediction(25, null, 25, Gender.Female, 0.3)]);
        Assert.Equal(1, m.N);
        Assert.Equal(1, m.GenderN);
        Assert.Equal(0, m.Mae);
    }
}

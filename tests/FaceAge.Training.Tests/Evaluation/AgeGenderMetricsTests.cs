using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training.Tests.Evaluation;

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

public class AgeGenderMetricsByGenderAndGroupTests
{
    [Fact]
    public void Per_gender_errors_and_age_group_accuracy_match_a_hand_computed_case()
    {
        // Women: true 20 → 22 (F), 30 → 27 (M, wrong gender); men: true 40 → 44 (M), 50 → 50 (M), 60 → 52 (F, wrong).
        var m = AgeGenderMetrics.Compute(
        [
            new Prediction(20, Gender.Female, 22, Gender.Female, 0.2, "18-24", "18-24"),
            new Prediction(30, Gender.Female, 27, Gender.Male, 0.7, "25-34", "25-34"),
            new Prediction(40, Gender.Male, 44, Gender.Male, 0.9, "35-44", "35-44"),
            new Prediction(50, Gender.Male, 50, Gender.Male, 0.8, "45-54", "45-54"),
            new Prediction(60, Gender.Male, 52, Gender.Female, 0.4, "55-64", "45-54"),
        ]);
        var female = m.ByGender.Single(g => g.Gender == "female");
        var male = m.ByGender.Single(g => g.Gender == "male");
        Assert.Equal(2, female.N);
        Assert.Equal(2.5, female.Mae, 10);             // (2 + 3) / 2
        Assert.Equal(-0.5, female.MeanSignedError, 10); // (+2 − 3) / 2
        Assert.Equal(0.5, female.ErrorRate, 10);        // one of two called male
        Assert.Equal(3, male.N);
        Assert.Equal(4, male.Mae, 10);                  // (4 + 0 + 8) / 3
        Assert.Equal(-4.0 / 3, male.MeanSignedError, 10);
        Assert.Equal(1.0 / 3, male.ErrorRate, 10);
        Assert.Equal(0.8, m.AgeGroupAccuracy!.Value, 10); // 4 of 5 groups right
        Assert.Equal(5, m.AgeGroupN);
    }

    [Fact]
    public void Without_group_labels_there_is_no_group_accuracy()
        => Assert.Null(AgeGenderMetrics.Compute([new Prediction(30, Gender.Male, 31, Gender.Male, 0.9)]).AgeGroupAccuracy);
}

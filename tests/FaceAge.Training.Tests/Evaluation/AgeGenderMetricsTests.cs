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
    private static AgeInterval G(string text) => AgeInterval.Parse(text)!.Value;

    [Fact]
    public void Per_gender_errors_and_age_group_accuracy_match_a_hand_computed_case()
    {
        // Women: true 20 → 22 (F), 30 → 27 (M, wrong gender); men: true 40 → 44 (M), 50 → 50 (M), 60 → 52 (F, wrong).
        var m = AgeGenderMetrics.Compute(
        [
            new Prediction(20, Gender.Female, 22, Gender.Female, 0.2, G("18-24")),
            new Prediction(30, Gender.Female, 27, Gender.Male, 0.7, G("25-34")),
            new Prediction(40, Gender.Male, 44, Gender.Male, 0.9, G("35-44")),
            new Prediction(50, Gender.Male, 50, Gender.Male, 0.8, G("45-54")),
            new Prediction(60, Gender.Male, 52, Gender.Female, 0.4, G("55-64")),
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
        Assert.Equal(0.8, m.AgeGroupAccuracy!.Value, 10); // 4 of 5 groups right (52 falls in 45-54, not 55-64)
        Assert.Equal(5, m.AgeGroupN);
        Assert.Equal(3.0 / 5, m.IntervalMae!.Value, 10);   // only 52 misses its group, by 3 years
    }

    [Fact]
    public void Groups_are_scored_against_the_labels_own_groups_with_interval_errors()
    {
        // FairFace-like groups; the predicted age is given the label set's group that holds it.
        var m = AgeGenderMetrics.Compute(
        [
            new Prediction(null, Gender.Female, 1.5, Gender.Female, 0.2, G("0-2")),   // in 0-2: hit
            new Prediction(null, Gender.Male, 6.0, Gender.Male, 0.9, G("0-2")),       // 3-9, 3 years above 0-2 (ends at 3)
            new Prediction(null, Gender.Female, 9.9, Gender.Female, 0.1, G("10-19")), // 3-9, 0.1 below 10-19
            new Prediction(null, Gender.Male, 81, Gender.Male, 0.8, G("70+")),        // open group: hit
            new Prediction(null, Gender.Male, 64, Gender.Male, 0.8, G("70+")),        // in the labels' gap 20-69: nearest group 70+ (a hit), 6 years below it
            new Prediction(null, Gender.Male, 5, Gender.Male, 0.8, G("3-9")),         // hit
        ]);
        Assert.Equal(0, m.N);
        Assert.False(m.HasAges);
        Assert.True(double.IsNaN(m.Mae));
        Assert.Equal(6, m.Scored);
        Assert.Equal(4.0 / 6, m.AgeGroupAccuracy!.Value, 10);
        Assert.Equal((0 + 3 + 0.1 + 0 + 6 + 0) / 6, m.IntervalMae!.Value, 10);
        var young = m.ByAgeGroup.Single(g => g.Group == "0-2");
        Assert.Equal((2, 0.5, 1.5, 1.5), (young.N, young.Hit, young.IntervalMae, young.MeanSignedError));
        Assert.Equal(-3, m.ByAgeGroup.Single(g => g.Group == "70+").MeanSignedError, 10);
        Assert.Equal(["0-2", "3-9", "10-19", "70+"], m.ByAgeGroup.Select(g => g.Group));
    }

    [Fact]
    public void Age_only_labels_have_no_gender_figures_and_children_are_summarized()
    {
        var m = AgeGenderMetrics.Compute(
        [
            new Prediction(2, null, 5, Gender.Male, 0.6),
            new Prediction(8, null, 7, Gender.Female, 0.4),
            new Prediction(40, null, 44, Gender.Male, 0.7),
        ]);
        Assert.False(m.HasGender);
        Assert.Equal(0, m.GenderN);
        Assert.Empty(m.ByGender);
        Assert.Null(m.AgeGroupAccuracy);
        Assert.Equal(2, m.ChildrenN);
        Assert.Equal(1, m.ChildrenSignedError, 10); // (+3 − 1) / 2
        Assert.Equal(2, m.ChildrenMae, 10);
    }

    [Fact]
    public void Coverage_is_the_share_of_true_ages_within_the_stated_uncertainty()
    {
        var m = AgeGenderMetrics.Compute(
        [
            new Prediction(30, null, 33, Gender.Male, 0.6, AgeUncertainty: 4),   // |e| 3 ≤ 4
            new Prediction(30, null, 36, Gender.Male, 0.6, AgeUncertainty: 4),   // 6 > 4
            new Prediction(50, null, 45, Gender.Male, 0.6, AgeUncertainty: 5),   // 5 ≤ 5
            new Prediction(60, null, 60, Gender.Male, 0.6),                      // states none
            new Prediction(null, null, 25, Gender.Male, 0.6, G("30-39"), 4),     // group 5 years away: not reached
            new Prediction(null, null, 27, Gender.Male, 0.6, G("30-39"), 4),     // 3 years away: reached
        ]);
        Assert.Equal(3, m.UncertaintyN);
        Assert.Equal(2.0 / 3, m.Coverage!.Value, 10);
        Assert.Equal(0.5, m.GroupCoverage!.Value, 10);
        Assert.Equal((4 + 4 + 5 + 4 + 4) / 5.0, m.MeanUncertainty!.Value, 10);
    }

    [Fact]
    public void Without_group_labels_there_is_no_group_accuracy()
        => Assert.Null(AgeGenderMetrics.Compute([new Prediction(30, Gender.Male, 31, Gender.Male, 0.9)]).AgeGroupAccuracy);
}

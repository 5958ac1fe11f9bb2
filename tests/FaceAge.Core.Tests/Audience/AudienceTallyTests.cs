using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;

namespace FaceAge.Core.Tests.Audience;

public class AudienceTallyTests
{
    private static readonly AgeGroups Groups = new([0, 13, 18, 25, 35, 45, 55, 65]);

    [Fact]
    public void A_person_near_a_group_border_is_shared_between_the_two_groups_by_their_stated_plus_minus()
    {
        var p = AgeGroupProbabilities.Of(age: 35, uncertainty: 4, Groups);
        Assert.Equal(1, p.Sum(), 6);
        // 35 is the border of 25-34 and 35-44: half each, give or take what lies beyond them.
        Assert.InRange(p[3], 0.45, 0.5);
        Assert.InRange(p[4], 0.45, 0.5);
        var sure = AgeGroupProbabilities.Of(age: 50, uncertainty: 1, Groups);
        Assert.True(sure[5] > 0.99, $"50 ± 1 lies in 45-54: {sure[5]}");
        // The first and last groups take everything below and above them.
        Assert.True(AgeGroupProbabilities.Of(age: 2, uncertainty: 5, Groups)[0] > 0.9);
        Assert.True(AgeGroupProbabilities.Of(age: 90, uncertainty: 5, Groups)[^1] > 0.99);
    }

    [Fact]
    public void Hard_counts_put_each_person_in_one_place_expected_counts_spread_them_and_tallies_add_up()
    {
        var a = new AudienceTally(Groups.Names);
        a.Add(30, 3, 0.9, Groups);   // most likely a man of 25-34
        a.Add(35, 4, 0.2, Groups);   // a woman on the border of 25-34 and 35-44
        Assert.Equal(2, a.People);
        Assert.Equal(1, a.HardCount(3, male: true));
        Assert.Equal(1, a.HardCount(4, male: false));
        Assert.Equal(2, a.AgeExpected.Sum(), 6);
        Assert.Equal(1.1, a.MaleExpected, 6);
        Assert.Equal(0.9 * 0.1 + 0.2 * 0.8, a.MaleVariance, 6);
        Assert.True(a.AgeExpected[3] > 1.35 && a.AgeExpected[4] > 0.4, "the border case adds to both groups");

        var b = new AudienceTally(Groups.Names);
        b.Add(70, 5, 0.6, Groups);
        a.Add(b);
        Assert.Equal(3, a.People);
        Assert.Equal(1, a.HardCount(7, male: true));
        Assert.Equal(3, a.Expected.Sum(), 6);
        Assert.Throws<ArgumentException>(() => a.Add(new AudienceTally(["0-9", "10+"])));
    }

    [Fact]
    public void A_share_interval_holds_the_chance_part_and_the_systematic_part_and_stays_within_zero_and_one()
    {
        // 100 people each 50 % likely: the count's variance is 25, its SD 5: ±8.2 points at 90 %.
        var chance = ShareInterval.Of(expected: 50, variance: 25, people: 100);
        Assert.Equal(0.5, chance.Share, 6);
        Assert.Equal(0.5 - 1.6449 * 0.05, chance.Low, 4);
        var wider = ShareInterval.Of(expected: 50, variance: 25, people: 100, systematic: 0.05);
        Assert.True(wider.High - wider.Low > chance.High - chance.Low);
        var edge = ShareInterval.Of(expected: 0.2, variance: 0.19, people: 10, systematic: 0.1);
        Assert.Equal(0, edge.Low);
        Assert.InRange(edge.High, 0.02, 1);
        Assert.Equal(new ShareEstimate(0, 0, 0, 0), ShareInterval.Of(0, 0, 0));
    }

    [Fact]
    public void Correcting_a_known_confusion_gives_back_the_true_counts_and_keeps_the_total()
    {
        // A third of the young are called old, a tenth of the old young.
        double[][] confusion = [[2.0 / 3, 1.0 / 3], [0.1, 0.9]];
        double[] truth = [60, 40];
        double[] observed = [truth[0] * confusion[0][0] + truth[1] * confusion[1][0], truth[0] * confusion[0][1] + truth[1] * confusion[1][1]];
        var corrected = ConfusionCorrection.Correct(observed, confusion, iterations: 5000);
        Assert.Equal(60, corrected[0], 1);
        Assert.Equal(40, corrected[1], 1);
        Assert.Equal(100, corrected.Sum(), 6);
        // Counts that no truth could give are corrected to the nearest that one can, never below zero.
        Assert.All(ConfusionCorrection.Correct([0, 100], confusion), c => Assert.True(c >= 0));
    }

    [Fact]
    public void Corrected_figures_move_the_shares_towards_the_truth_the_confusion_hides()
    {
        var groups = new AgeGroups([0, 50]);
        var tally = new AudienceTally(groups.Names);
        for (int i = 0; i < 100; i++) tally.Add(i < 60 ? 30 : 70, 1, i % 2 == 0 ? 0.9 : 0.1, groups);
        // Every old person estimated as old, but half the error model's young called old: the corrected young share rises.
        var model = AudienceErrorModel.None(groups.LowerBounds) with
        {
            AgeGroupConfusion = [[0.5, 0.5], [0, 1]],
            GenderConfusion = [[1, 0], [0, 1]],
        };
        var expected = AudienceFigures.Expected(tally, model);
        var corrected = AudienceFigures.Corrected(tally, model);
        Assert.True(corrected.AgeGroups[0].Estimate.Share > expected.AgeGroups[0].Estimate.Share + 0.2);
        Assert.Equal(100, corrected.AgeGroups.Sum(g => g.Estimate.Count), 3);
        Assert.Equal(expected.Male.Share, corrected.Male.Share, 3);
    }
}

namespace FaceAge.Core.Audience;

/// <summary>One age group's share of the people, with its interval.</summary>
public sealed record GroupShare(string Group, ShareEstimate Estimate);

/// <summary>Expected people of one age group by gender.</summary>
public sealed record GroupCounts(string Group, double Female, double Male);

/// <summary>
/// What a tally says about its people: each age group's and each gender's share with a 90 % interval, and the expected
/// count of every group and gender. <see cref="Expected"/> reads the sums of the people's probabilities;
/// <see cref="Corrected"/> first undoes the estimator's measured confusion.
/// </summary>
public sealed record AudienceFigures(int People, IReadOnlyList<GroupShare> AgeGroups, ShareEstimate Female, ShareEstimate Male,
    IReadOnlyList<GroupCounts> Counts)
{
    public static AudienceFigures Expected(AudienceTally tally, AudienceErrorModel model)
    {
        int n = tally.People, k = tally.Groups.Count;
        var groups = Enumerable.Range(0, k)
            .Select(g => new GroupShare(tally.Groups[g], ShareInterval.Of(tally.AgeExpected[g], tally.AgeVariance[g], n, model.AgeSystematic(g)))).ToList();
        double maleSystematic = model.MaleSystematicFor(tally);
        var male = ShareInterval.Of(tally.MaleExpected, tally.MaleVariance, n, maleSystematic);
        var female = ShareInterval.Of(n - tally.MaleExpected, tally.MaleVariance, n, maleSystematic);
        var counts = Enumerable.Range(0, k).Select(g
            => new GroupCounts(tally.Groups[g], tally.ExpectedCount(g, male: false), tally.ExpectedCount(g, male: true)))
            .ToList();
        return new AudienceFigures(n, groups, female, male, counts);
    }

    /// <summary>
    /// The expected counts with the measured confusion undone (<see cref="ConfusionCorrection"/>), age groups and gender
    /// each on their own; a group's count is split between the genders as its expected count was. The interval is the
    /// expected share's, moved with the estimate (the correction's own uncertainty is not added).
    /// </summary>
    public static AudienceFigures Corrected(AudienceTally tally, AudienceErrorModel model)
    {
        if (!model.CanCorrect) throw new InvalidOperationException("The error model holds no confusion to correct with.");
        var expected = Expected(tally, model);
        int n = tally.People;
        if (n == 0) return expected;
        var ages = ConfusionCorrection.Correct(tally.AgeExpected, model.AgeGroupConfusion);
        double men = ConfusionCorrection.Correct([n - tally.MaleExpected, tally.MaleExpected], model.GenderConfusion)[1];
        var groups = expected.AgeGroups.Select((g, i) => new GroupShare(g.Group, Moved(g.Estimate, ages[i], n))).ToList();
        var counts = expected.Counts.Select((c, i) =>
        {
            double sum = c.Female + c.Male, maleShare = sum > 0 ? c.Male / sum : men / n;
            return new GroupCounts(c.Group, ages[i] * (1 - maleShare), ages[i] * maleShare);
        }).ToList();
        return new AudienceFigures(n, groups, Moved(expected.Female, n - men, n), Moved(expected.Male, men, n), counts);
    }

    private static ShareEstimate Moved(ShareEstimate e, double count, int people)
    {
        double share = count / people, shift = share - e.Share;
        return new ShareEstimate(count, share, Math.Clamp(e.Low + shift, 0, 1), Math.Clamp(e.High + shift, 0, 1));
    }
}

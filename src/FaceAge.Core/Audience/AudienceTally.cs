using FaceAge.Core.Estimation;

namespace FaceAge.Core.Audience;

/// <summary>
/// The people of one statistics window (or of a report bucket: tallies add up) by age group and gender, two ways:
/// hard counts (each person in their most likely group and gender, as the person events say) and expected counts (the
/// sum of each person's probabilities: a person 60 % likely 25–34 and 40 % likely 35–44 adds 0.6 and 0.4). Beside each
/// expected count it keeps the sum of p·(1 − p) over the people, the variance of the true count if the probabilities
/// are right (people are independent), from which <see cref="ShareInterval"/> makes the share's interval. Only sums are
/// kept: nothing of a single person.
/// </summary>
public sealed class AudienceTally
{
    private const int Female = 0, Male = 1;

    public AudienceTally(IReadOnlyList<string> groups)
    {
        Groups = groups;
        Hard = new int[groups.Count * 2];
        Expected = new double[groups.Count * 2];
        AgeExpected = new double[groups.Count];
        AgeVariance = new double[groups.Count];
    }

    /// <summary>The age groups' names, in order.</summary>
    public IReadOnlyList<string> Groups { get; }

    public int People { get; private set; }

    /// <summary>Hard counts per group and gender: index 2·group + (0 female, 1 male).</summary>
    public int[] Hard { get; }

    /// <summary>Expected counts per group and gender (group and gender taken as independent for one person), indexed as <see cref="Hard"/>.</summary>
    public double[] Expected { get; }

    /// <summary>Expected count of each age group, and the sum of p·(1 − p) of its people.</summary>
    public double[] AgeExpected { get; }
    public double[] AgeVariance { get; }

    /// <summary>Expected number of men, and the sum of p·(1 − p) of P(male).</summary>
    public double MaleExpected { get; private set; }
    public double MaleVariance { get; private set; }

    /// <summary>One person: their age and its calibrated ±, and P(male).</summary>
    public void Add(double age, double ageUncertainty, double maleProbability, AgeGroups groups)
    {
        if (groups.Names.Count != Groups.Count) throw new ArgumentException($"{groups.Names.Count} age groups given for a tally of {Groups.Count}.");
        var p = AgeGroupProbabilities.Of(age, ageUncertainty, groups);
        double male = Math.Clamp(maleProbability, 0, 1);
        for (int g = 0; g < p.Length; g++)
        {
            Expected[2 * g + Female] += p[g] * (1 - male);
            Expected[2 * g + Male] += p[g] * male;
            AgeExpected[g] += p[g];
            AgeVariance[g] += p[g] * (1 - p[g]);
        }
        Hard[2 * groups.IndexOf(age) + (male >= 0.5 ? Male : Female)]++;
        MaleExpected += male;
        MaleVariance += male * (1 - male);
        People++;
    }

    /// <summary>Adds another tally of the same groups (the windows of an hour, the hours of a day).</summary>
    public void Add(AudienceTally other)
    {
        if (!other.Groups.SequenceEqual(Groups)) throw new ArgumentException("Tallies of different age groups do not add up.");
        for (int i = 0; i < Hard.Length; i++)
        {
            Hard[i] += other.Hard[i];
            Expected[i] += other.Expected[i];
        }
        for (int g = 0; g < Groups.Count; g++)
        {
            AgeExpected[g] += other.AgeExpected[g];
            AgeVariance[g] += other.AgeVariance[g];
        }
        MaleExpected += other.MaleExpected;
        MaleVariance += other.MaleVariance;
        People += other.People;
    }

    /// <summary>A tally read back from storage (<see cref="Hard"/>, <see cref="Expected"/>, … as they were).</summary>
    public static AudienceTally Restore(IReadOnlyList<string> groups, int people, int[] hard, double[] expected, double[] ageExpected,
        double[] ageVariance, double maleExpected, double maleVariance)
    {
        var tally = new AudienceTally(groups);
        if (hard.Length != tally.Hard.Length || expected.Length != tally.Expected.Length || ageExpected.Length != groups.Count
            || ageVariance.Length != groups.Count)
            throw new InvalidDataException($"A stored tally of {groups.Count} age groups has arrays of the wrong length.");
        hard.CopyTo(tally.Hard, 0);
        expected.CopyTo(tally.Expected, 0);
        ageExpected.CopyTo(tally.AgeExpected, 0);
        ageVariance.CopyTo(tally.AgeVariance, 0);
        tally.MaleExpected = maleExpected;
        tally.MaleVariance = maleVariance;
        tally.People = people;
        return tally;
    }

    public int HardCount(int group, bool male) => Hard[2 * group + (male ? Male : Female)];
    public double ExpectedCount(int group, bool male) => Expected[2 * group + (male ? Male : Female)];
    public int HardAgeCount(int group) => Hard[2 * group] + Hard[2 * group + 1];
    public int HardMen => Enumerable.Range(0, Groups.Count).Sum(g => Hard[2 * g + Male]);
}

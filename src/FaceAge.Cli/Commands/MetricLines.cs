using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>The metrics of one evaluation as aligned lines on stdout (`faceage eval`).</summary>
internal static class MetricLines
{
    /// <summary>The metrics the labels carry, and only those: no age lines without ages, no gender lines without genders.</summary>
    public static void Print(AgeGenderMetrics m, int failures)
    {
        Console.WriteLine($"n                 {m.Scored}");
        Console.WriteLine($"misses            {m.Misses}");
        Console.WriteLine($"unreadable        {failures}");
        if (m.HasAges) PrintAge(m);
        if (m.AgeGroupAccuracy is { } groupAccuracy)
        {
            Console.WriteLine($"age group hit     {groupAccuracy:P1} (n={m.AgeGroupN}, the labels' own groups)");
            Console.WriteLine($"interval MAE      {m.IntervalMae:0.00} (years outside the labelled group)");
        }
        if (m.HasGender) PrintGender(m);
        if (m.Coverage is { } coverage)
        {
            Console.WriteLine($"± coverage        {coverage:P1} of true ages within the stated ± "
                + $"(mean ±{m.MeanUncertainty:0.0}; claimed {AgeUncertainty.ClaimedCoverage:P0})");
        }
        if (m.GroupCoverage is { } groupCoverage)
            Console.WriteLine($"± group coverage  {groupCoverage:P1} of labelled groups reached by the stated ±");
        if (m.HasAges)
        {
            Console.WriteLine("MAE per decade:");
            foreach (var d in m.ByDecade)
                Console.WriteLine($"  {d.Decade,-7} n={d.N,-5} MAE {d.Mae,5:0.00}  signed {d.MeanSignedError,6:+0.00;-0.00}");
        }
        if (m.ByAgeGroup.Count > 0)
        {
            Console.WriteLine("per age group:");
            foreach (var g in m.ByAgeGroup)
                Console.WriteLine($"  {g.Group,-7} n={g.N,-5} hit {g.Hit,6:P1}  interval MAE {g.IntervalMae,5:0.00}  signed {g.MeanSignedError,6:+0.00;-0.00}");
        }
    }

    /// <summary>One line per group (a race group the labels give): its size, age error or group hits, and gender errors both ways.</summary>
    public static void PrintGroups(string title, IReadOnlyList<(string Group, AgeGenderMetrics Metrics)> groups)
    {
        Console.WriteLine($"{title}:");
        foreach (var (group, m) in groups)
        {
            var age = m.HasAges ? $"MAE {m.Mae,5:0.00}" : m.AgeGroupAccuracy is { } hit ? $"hit {hit,6:P1}" : "";
            var gender = m.HasGender
                ? $"gender {m.GenderAccuracy,6:P1} (women called men {ErrorRate(m, "female"),6:P1}, men called women {ErrorRate(m, "male"),6:P1})"
                : "";
            Console.WriteLine($"  {group,-16} n={m.Scored,-5} {age}  {gender}");
        }
    }

    private static double ErrorRate(AgeGenderMetrics m, string gender) => m.ByGender.FirstOrDefault(g => g.Gender == gender)?.ErrorRate ?? double.NaN;

    private static void PrintAge(AgeGenderMetrics m)
    {
        Console.WriteLine($"age MAE           {m.Mae:0.00} (n={m.N})");
        Console.WriteLine($"age RMSE          {m.Rmse:0.00}");
        Console.WriteLine($"age R²            {m.R2:0.000}");
        Console.WriteLine($"CS@5              {m.CumulativeScore5:P1}");
        Console.WriteLine($"mean signed error {m.MeanSignedError:+0.00;-0.00}");
        if (m.ChildrenN > 0)
        {
            Console.WriteLine($"children 0-{AgeGenderMetrics.ChildMaxAge}     "
                + $"n={m.ChildrenN} MAE {m.ChildrenMae:0.00}  signed {m.ChildrenSignedError:+0.00;-0.00}");
        }
    }

    private static void PrintGender(AgeGenderMetrics m)
    {
        Console.WriteLine($"gender accuracy   {m.GenderAccuracy:P1} (n={m.GenderN})");
        foreach (var g in m.ByGender)
            Console.WriteLine(m.HasAges
                ? $"{g.Gender,-6} n={g.N,-5} MAE {g.Mae,5:0.00}  signed {g.MeanSignedError,6:+0.00;-0.00}  called the other gender {g.ErrorRate:P1}"
                : $"{g.Gender,-6} n={g.N,-5} called the other gender {g.ErrorRate:P1}");
    }
}

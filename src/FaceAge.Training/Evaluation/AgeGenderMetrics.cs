using FaceAge.Core.Analysis;

namespace FaceAge.Training.Evaluation;

/// <summary>
/// One prediction next to its label. A label may hold an exact age, an age group (an interval, e.g. FairFace's
/// "3-9"), a gender, or any of these; <paramref name="AgeUncertainty"/> is the stated ± of the age (null when the
/// estimator states none).
/// </summary>
public sealed record Prediction(double? TrueAge, Gender? TrueGender, double PredictedAge, Gender PredictedGender, double MaleProbability,
    AgeInterval? TrueAgeGroup = null, double? AgeUncertainty = null);

public sealed record DecadeMetrics(string Decade, int N, double Mae, double MeanSignedError);

/// <summary>Per true gender: age error of its faces, and the share of its faces given the other gender.</summary>
public sealed record GenderMetrics(string Gender, int N, double Mae, double MeanSignedError, double ErrorRate);

/// <summary>Per labelled age group: how often the predicted age falls in it, and how far outside it on average.</summary>
public sealed record AgeGroupMetrics(string Group, int N, double Hit, double IntervalMae, double MeanSignedError);

/// <summary>
/// Accuracy figures for a set of predictions. Each part is computed from the labels that carry it: exact-age figures
/// (MAE, RMSE, R², CS@5, decades) from rows with an age (<see cref="N"/> of them; NaN when none), group figures from rows
/// with an age group, scored against the groups of the labels themselves, gender from rows with a gender.
/// </summary>
public sealed record AgeGenderMetrics(
    int N, int Misses, double Mae, double Rmse, double R2, double CumulativeScore5, double MeanSignedError,
    int GenderN, double GenderAccuracy, IReadOnlyList<DecadeMetrics> ByDecade)
{
    /// <summary>Children: true age 0–12 (exact labels).</summary>
    public const int ChildMaxAge = 12;

    /// <summary>Per true gender (faces with a gender label).</summary>
    public IReadOnlyList<GenderMetrics> ByGender { get; init; } = [];
    /// <summary>Share of faces whose predicted age falls in their labelled group (the label set's own groups); null without group labels.</summary>
    public double? AgeGroupAccuracy { get; init; }
    public int AgeGroupN { get; init; }
    /// <summary>Mean distance (years) from the predicted age to the labelled group (0 inside it); null without group labels.</summary>
    public double? IntervalMae { get; init; }
    public IReadOnlyList<AgeGroupMetrics> ByAgeGroup { get; init; } = [];
    /// <summary>Faces aged 0–12 (exact labels): their count, MAE and mean signed error (NaN when none).</summary>
    public int ChildrenN { get; init; }
    public double ChildrenMae { get; init; } = double.NaN;
    public double ChildrenSignedError { get; init; } = double.NaN;
    /// <summary>Rows that state an uncertainty (of those with an exact age); <see cref="Coverage"/> is the share whose
    /// true age lies within the stated ±.</summary>
    public int UncertaintyN { get; init; }
    public double? Coverage { get; init; }
    /// <summary>Group labels: share whose group the stated ± interval reaches.</summary>
    public double? GroupCoverage { get; init; }
    /// <summary>Mean stated ± (years) over the rows that state one.</summary>
    public double? MeanUncertainty { get; init; }

    /// <summary>Every scored row, whatever its label holds.</summary>
    public int Scored { get; init; }
    public bool HasAges => N > 0;
    public bool HasGender => GenderN > 0;

    public static AgeGenderMetrics Compute(IReadOnlyList<Prediction> predictions, int misses = 0)
    {
        var aged = predictions.Where(p => p.TrueAge is not null).ToList();
        double mae = double.NaN, rmse = double.NaN, signed = double.NaN, cs5 = double.NaN, r2 = double.NaN;
        if (aged.Count > 0)
        {
            var errors = aged.Select(p => p.PredictedAge - p.TrueAge!.Value).ToList();
            mae = errors.Average(Math.Abs);
            rmse = Math.Sqrt(errors.Average(e => e * e));
            signed = errors.Average();
            cs5 = errors.Count(e => Math.Abs(e) <= 5) / (double)errors.Count;
            double mean = aged.Average(p => p.TrueAge!.Value);
            double total = aged.Sum(p => Math.Pow(p.TrueAge!.Value - mean, 2));
            r2 = total > 0 ? 1 - errors.Sum(e => e * e) / total : double.NaN;
        }
        var gendered = predictions.Where(p => p.TrueGender is not null).ToList();
        double accuracy = gendered.Count > 0 ? gendered.Count(p => p.TrueGender == p.PredictedGender) / (double)gendered.Count : double.NaN;
        var decades = aged
            .GroupBy(p => (int)(p.TrueAge!.Value / 10))
            .OrderBy(g => g.Key)
            .Select(g => new DecadeMetrics($"{g.Key * 10}-{g.Key * 10 + 9}", g.Count(),
                g.Average(p => Math.Abs(p.PredictedAge - p.TrueAge!.Value)),
                g.Average(p => p.PredictedAge - p.TrueAge!.Value)))
            .ToList();
        var byGender = gendered.GroupBy(p => p.TrueGender!.Value).OrderBy(g => g.Key)
            .Select(g =>
            {
                var withAge = g.Where(p => p.TrueAge is not null).ToList();
                return new GenderMetrics(g.Key == Gender.Male ? "male" : "female", g.Count(),
                    withAge.Count > 0 ? withAge.Average(p => Math.Abs(p.PredictedAge - p.TrueAge!.Value)) : double.NaN,
                    withAge.Count > 0 ? withAge.Average(p => p.PredictedAge - p.TrueAge!.Value) : double.NaN,
                    g.Count(p => p.PredictedGender != p.TrueGender) / (double)g.Count());
            }).ToList();

        var grouped = predictions.Where(p => p.TrueAgeGroup is not null).ToList();
        var groupSet = grouped.Count > 0 ? new AgeIntervalSet(grouped.Select(p => p.TrueAgeGroup!.Value)) : null;
        var byGroup = grouped.GroupBy(p => p.TrueAgeGroup!.Value).OrderBy(g => g.Key.Low)
            .Select(g => new AgeGroupMetrics(g.Key.ToString(), g.Count(),
                g.Count(p => groupSet!.Of(p.PredictedAge) == g.Key) / (double)g.Count(),
                g.Average(p => g.Key.Distance(p.PredictedAge)),
                g.Average(p => g.Key.SignedDistance(p.PredictedAge))))
            .ToList();

        var children = aged.Where(p => p.TrueAge!.Value <= ChildMaxAge).ToList();
        var stated = aged.Where(p => p.AgeUncertainty is not null).ToList();
        var statedGroups = grouped.Where(p => p.AgeUncertainty is not null).ToList();
        var anyStated = predictions.Where(p => p.AgeUncertainty is not null).ToList();
        return new AgeGenderMetrics(aged.Count, misses, mae, rmse, r2, cs5, signed, gendered.Count, accuracy, decades)
        {
            Scored = predictions.Count,
            ByGender = byGender,
            AgeGroupN = grouped.Count,
            AgeGroupAccuracy = grouped.Count > 0 ? grouped.Count(p => groupSet!.Of(p.PredictedAge) == p.TrueAgeGroup) / (double)grouped.Count : null,
            IntervalMae = grouped.Count > 0 ? grouped.Average(p => p.TrueAgeGroup!.Value.Distance(p.PredictedAge)) : null,
            ByAgeGroup = byGroup,
            ChildrenN = children.Count,
            ChildrenMae = children.Count > 0 ? children.Average(p => Math.Abs(p.PredictedAge - p.TrueAge!.Value)) : double.NaN,
            ChildrenSignedError = children.Count > 0 ? children.Average(p => p.PredictedAge - p.TrueAge!.Value) : double.NaN,
            UncertaintyN = stated.Count,
            Coverage = stated.Count > 0 ? stated.Count(p => Math.Abs(p.PredictedAge - p.TrueAge!.Value) <= p.AgeUncertainty!.Value) / (double)stated.Count
                : null,
            GroupCoverage = statedGroups.Count > 0
                ? statedGroups.Count(p => p.TrueAgeGroup!.Value.Distance(p.PredictedAge) <= p.AgeUncertainty!.Value) / (double)statedGroups.Count : null,
            MeanUncertainty = anyStated.Count > 0 ? anyStated.Average(p => p.AgeUncertainty!.Value) : null,
        };
    }
}

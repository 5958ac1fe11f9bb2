using FaceAge.Core.Analysis;

namespace FaceAge.Training.Evaluation;

/// <summary>One prediction next to its label (age groups when the labels are groups).</summary>
public sealed record Prediction(double? TrueAge, Gender? TrueGender, double PredictedAge, Gender PredictedGender, double MaleProbability,
    string? TrueAgeGroup = null, string? PredictedAgeGroup = null);

public sealed record DecadeMetrics(string Decade, int N, double Mae, double MeanSignedError);

/// <summary>Per true gender: age error of its faces, and the share of its faces given the other gender.</summary>
public sealed record GenderMetrics(string Gender, int N, double Mae, double MeanSignedError, double ErrorRate);

/// <summary>Accuracy figures for a set of predictions.</summary>
public sealed record AgeGenderMetrics(
    int N, int Misses, double Mae, double Rmse, double R2, double CumulativeScore5, double MeanSignedError,
    int GenderN, double GenderAccuracy, IReadOnlyList<DecadeMetrics> ByDecade)
{
    /// <summary>Per true gender (faces with a gender label).</summary>
    public IReadOnlyList<GenderMetrics> ByGender { get; init; } = [];
    /// <summary>Share of faces whose predicted age group equals the labelled one; null when no label is a group.</summary>
    public double? AgeGroupAccuracy { get; init; }
    public int AgeGroupN { get; init; }

    public static AgeGenderMetrics Compute(IReadOnlyList<Prediction> predictions, int misses = 0)
    {
        var aged = predictions.Where(p => p.TrueAge is not null).ToList();
        double mae = 0, mse = 0, signed = 0, cs5 = 0, r2 = double.NaN;
        if (aged.Count > 0)
        {
            var errors = aged.Select(p => p.PredictedAge - p.TrueAge!.Value).ToList();
            mae = errors.Average(Math.Abs);
            mse = errors.Average(e => e * e);
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
        return new AgeGenderMetrics(aged.Count, misses, mae, Math.Sqrt(mse), r2, cs5, signed, gendered.Count, accuracy, decades)
        {
            ByGender = byGender,
            AgeGroupN = grouped.Count,
            AgeGroupAccuracy = grouped.Count > 0 ? grouped.Count(p => p.PredictedAgeGroup == p.TrueAgeGroup) / (double)grouped.Count : null,
        };
    }
}

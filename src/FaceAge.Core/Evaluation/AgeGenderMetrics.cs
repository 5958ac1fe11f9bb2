using FaceAge.Core.Analysis;

namespace FaceAge.Core.Evaluation;

/// <summary>One prediction next to its label.</summary>
public sealed record Prediction(double? TrueAge, Gender? TrueGender, double PredictedAge, Gender PredictedGender, double MaleProbability);

public sealed record DecadeMetrics(string Decade, int N, double Mae, double MeanSignedError);

/// <summary>Accuracy figures for a set of predictions.</summary>
public sealed record AgeGenderMetrics(
    int N, int Misses, double Mae, double Rmse, double R2, double CumulativeScore5, double MeanSignedError,
    int GenderN, double GenderAccuracy, IReadOnlyList<DecadeMetrics> ByDecade)
{
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
        return new AgeGenderMetrics(aged.Count, misses, mae, Math.Sqrt(mse), r2, cs5, signed, gendered.Count, accuracy, decades);
    }
}

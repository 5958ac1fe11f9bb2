using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>
/// Fits the factor that turns an age distribution's standard deviation into a ± that holds the true age for
/// <see cref="AgeUncertainty.ClaimedCoverage"/> of faces: on held-out predictions with exact ages, each data set
/// weighing the same (so the largest does not set it alone).
/// </summary>
public static class UncertaintyCalibration
{
    /// <param name="predictions">Held-out predictions whose AgeUncertainty is the raw standard deviation.</param>
    /// <param name="datasets">The data set of each prediction.</param>
    public static double FitScale(IReadOnlyList<Prediction> predictions, IReadOnlyList<int> datasets)
    {
        var sets = predictions.Select((p, i) => (p, d: datasets[i])).Where(x => x.p.TrueAge is not null && x.p.AgeUncertainty is > 0)
            .GroupBy(x => x.d)
            .Select(g => g.Select(x => (Error: Math.Abs(x.p.PredictedAge - x.p.TrueAge!.Value), Sd: x.p.AgeUncertainty!.Value)).ToList()).ToList();
        if (sets.Count == 0) return 1;
        double Coverage(double scale) => sets.Average(s => s.Count(x => x.Error <= scale * x.Sd) / (double)s.Count);
        double lo = 0.05, hi = 20;
        for (int i = 0; i < 60; i++)
        {
            double mid = (lo + hi) / 2;
            if (Coverage(mid) < AgeUncertainty.ClaimedCoverage) lo = mid; else hi = mid;
        }
        return Math.Round(hi, 3);
    }

    /// <summary>The predictions with their ± scaled.</summary>
    public static Prediction[] Apply(IReadOnlyList<Prediction> predictions, double scale)
        => predictions.Select(p => p with { AgeUncertainty = p.AgeUncertainty * scale }).ToArray();
}

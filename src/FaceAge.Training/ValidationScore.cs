using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>
/// How good held-out predictions are, judged per data set so that no one set (UTKFace, the largest) decides alone:
/// <see cref="Score"/> = the mean over data sets with ages of their age error (MAE for exact ages, interval MAE for
/// groups) + <see cref="GenderErrorYears"/> × the mean over data sets with genders of their gender error rate. Lower is better.
/// </summary>
public sealed record ValidationScore(double Score, IReadOnlyList<(int Dataset, AgeGenderMetrics Metrics)> ByDataset)
{
    /// <summary>One point of gender error weighs as much as 0.1 years of age error.</summary>
    public const double GenderErrorYears = 10;

    public static ValidationScore Of(IReadOnlyList<Prediction> predictions, IReadOnlyList<HeadSample> samples)
    {
        var byDataset = predictions.Select((p, i) => (p, samples[i].Dataset)).GroupBy(x => x.Dataset).OrderBy(g => g.Key)
            .Select(g => (g.Key, AgeGenderMetrics.Compute(g.Select(x => x.p).ToList()))).ToList();
        var ageErrors = byDataset.Select(x => x.Item2).Select(m => m.HasAges ? m.Mae : m.IntervalMae ?? double.NaN).Where(e => !double.IsNaN(e)).ToList();
        var genderErrors = byDataset.Select(x => x.Item2).Where(m => m.HasGender).Select(m => 1 - m.GenderAccuracy).ToList();
        double score = (ageErrors.Count > 0 ? ageErrors.Average() : 0) + GenderErrorYears * (genderErrors.Count > 0 ? genderErrors.Average() : 0);
        return new ValidationScore(score, byDataset);
    }

    /// <summary>"utkface-dev MAE 4.61 gender 94.2 % | fairface-dev hit 45.1 % interval 3.2 gender 88.0 %" for progress lines.</summary>
    public string Describe(IReadOnlyList<string> names)
        => string.Join(" | ", ByDataset.Select(x => (Name: x.Dataset < names.Count ? names[x.Dataset] : $"set {x.Dataset}", m: x.Metrics)).Select(x =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{x.Name} {(x.m.HasAges ? $"MAE {x.m.Mae:0.00}" : x.m.IntervalMae is { } im ? $"hit {x.m.AgeGroupAccuracy:P1} interval {im:0.00}" : "")}"
            + $"{(x.m.HasGender ? $" gender {x.m.GenderAccuracy:P1}" : "")}")));
}

using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>The held-out result of one fold: its size, best epoch and validation score per data set.</summary>
public sealed record FoldResult(int Fold, int TrainImages, int ValidationImages, int TestImages, int BestEpoch, double TestScore);

/// <summary>
/// Seeded, grouped splits and k-fold cross-validation of head training: every image is predicted exactly once by a head
/// that never saw it (nor used it for early stopping), and photos of one person (same <see cref="HeadSample.Group"/>)
/// always fall on the same side. Each data set is dealt out over the folds on its own, so every fold holds its share of each.
/// </summary>
public static class CrossValidation
{
    /// <summary>
    /// Fold (0..k−1) of each sample: per data set, its groups (a sample without a group is its own) in a seeded order,
    /// dealt to the folds round-robin, largest fold-need first.
    /// </summary>
    public static int[] Folds(IReadOnlyList<HeadSample> samples, int k, int seed)
    {
        if (k < 2 || k > samples.Count) throw new ArgumentOutOfRangeException(nameof(k), $"need 2 ≤ folds ≤ {samples.Count}, got {k}");
        var folds = new int[samples.Count];
        var random = new Random(seed);
        foreach (var set in Enumerable.Range(0, samples.Count).GroupBy(i => samples[i].Dataset).OrderBy(g => g.Key))
        {
            var groups = set.GroupBy(i => samples[i].Group ?? $"#{i}").Select(g => g.ToArray()).OrderBy(g => samples[g[0]].Group ?? $"#{g[0]:D9}",
                StringComparer.Ordinal).ToArray();
            random.Shuffle(groups);
            // Deal each group to the fold that has the fewest of this set's images so far (ties: lowest fold).
            var sizes = new int[k];
            foreach (var group in groups)
            {
                int fold = Array.IndexOf(sizes, sizes.Min());
                foreach (var i in group) folds[i] = fold;
                sizes[fold] += group.Length;
            }
        }
        return folds;
    }

    /// <summary>Seeded grouped split of the samples into training and validation (about the given fraction of each data set).</summary>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<HeadSample> samples, double validationFraction, int seed)
    {
        if (validationFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), "must be in (0, 1)");
        var random = new Random(seed);
        var validation = new List<int>();
        foreach (var set in Enumerable.Range(0, samples.Count).GroupBy(i => samples[i].Dataset).OrderBy(g => g.Key))
        {
            var groups = set.GroupBy(i => samples[i].Group ?? $"#{i}").Select(g => g.ToArray()).OrderBy(g => samples[g[0]].Group ?? $"#{g[0]:D9}",
                StringComparer.Ordinal).ToArray();
            random.Shuffle(groups);
            int want = Math.Max(1, (int)Math.Round(set.Count() * validationFraction)), taken = 0;
            foreach (var group in groups)
            {
                if (taken >= want) break;
                validation.AddRange(group);
                taken += group.Length;
            }
        }
        var held = validation.ToHashSet();
        if (held.Count >= samples.Count) throw new ArgumentException("The validation part would take every sample; use more data or a smaller --validation.");
        return (Enumerable.Range(0, samples.Count).Where(i => !held.Contains(i)).ToArray(), held.Order().ToArray());
    }

    /// <summary>
    /// k-fold cross-validation of heads: per fold, train on the other folds (minus a seeded validation part for early
    /// stopping) and predict the fold. Returns one prediction per sample, in the samples' order.
    /// </summary>
    public static (Prediction[] Predictions, List<FoldResult> Folds) Run(IReadOnlyList<HeadSample> samples, int k, int seed, double validationFraction,
        HeadTrainingOptions options, Action<int, EpochRecord>? progress = null, CancellationToken cancel = default)
    {
        var folds = Folds(samples, k, seed);
        var predictions = new Prediction[samples.Count];
        var results = new List<FoldResult>();
        for (int f = 0; f < k; f++)
        {
            cancel.ThrowIfCancellationRequested();
            var rest = Enumerable.Range(0, samples.Count).Where(i => folds[i] != f).ToArray();
            var test = Enumerable.Range(0, samples.Count).Where(i => folds[i] == f).ToArray();
            var restSamples = rest.Select(i => samples[i]).ToList();
            var (trainIdx, validation) = Split(restSamples, validationFraction, seed * 1000 + f);
            int fold = f;
            var result = HeadTrainer.Train(trainIdx.Select(i => restSamples[i]).ToList(), validation.Select(i => restSamples[i]).ToList(),
                options with { Seed = options.Seed * 1000 + f }, e => progress?.Invoke(fold, e), cancel);
            var held = new Prediction[test.Length];
            Parallel.For(0, test.Length, t => held[t] = Predict(result.Head, samples[test[t]]));
            for (int t = 0; t < test.Length; t++) predictions[test[t]] = held[t];
            var score = ValidationScore.Of(held, test.Select(i => samples[i]).ToList());
            results.Add(new FoldResult(f, trainIdx.Length, validation.Length, test.Length, result.BestEpoch, score.Score));
        }
        return (predictions, results);
    }

    /// <summary>The head's prediction of a sample next to the sample's labels; the ± is the age distribution's standard
    /// deviation (scale it to calibrate).</summary>
    public static Prediction Predict(HeadNetwork head, HeadSample sample)
    {
        var (age, male) = HeadTrainer.Predict(head, sample);
        var distribution = new Core.Estimation.AgeDistribution(age, firstAge: 0);
        return new Prediction(sample.Age, sample.Gender, distribution.Mean, male >= 0.5f ? Gender.Male : Gender.Female, male, sample.AgeGroup,
            distribution.StandardDeviation);
    }
}

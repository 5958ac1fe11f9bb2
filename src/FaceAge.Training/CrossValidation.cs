using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>The held-out result of one fold.</summary>
public sealed record FoldResult(int Fold, int TrainImages, int ValidationImages, int TestImages, int BestEpoch, double TestMae, double TestGenderAccuracy);

/// <summary>
/// Seeded splits and k-fold cross-validation of head training: every image is predicted exactly once by a head
/// that never saw it (nor used it for early stopping).
/// </summary>
public static class CrossValidation
{
    /// <summary>Fold (0..k−1) of each of <paramref name="count"/> items: a seeded shuffle dealt round-robin.</summary>
    public static int[] Folds(int count, int k, int seed)
    {
        if (k < 2 || k > count) throw new ArgumentOutOfRangeException(nameof(k), $"need 2 ≤ folds ≤ {count}, got {k}");
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        var folds = new int[count];
        for (int i = 0; i < count; i++) folds[order[i]] = i % k;
        return folds;
    }

    /// <summary>Seeded split of indices 0..count−1 into training and validation (the given fraction, at least one).</summary>
    public static (int[] Train, int[] Validation) Split(int count, double validationFraction, int seed)
    {
        if (validationFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), "must be in (0, 1)");
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        int validation = Math.Clamp((int)Math.Round(count * validationFraction), 1, count - 1);
        return (order[validation..].Order().ToArray(), order[..validation].Order().ToArray());
    }

    /// <summary>
    /// k-fold cross-validation: per fold, train on the other folds (minus a seeded validation part for early
    /// stopping) and predict the fold. Returns one prediction per sample, in the samples' order.
    /// </summary>
    public static (Prediction[] Predictions, List<FoldResult> Folds) Run(IReadOnlyList<HeadSample> samples, int k, int seed, double validationFraction,
        HeadTrainingOptions options, Action<int, EpochRecord>? progress = null, CancellationToken cancel = default)
        => Run(samples, k, seed, validationFraction, (train, validation, fold) =>
        {
            var result = HeadTrainer.Train(train, validation, options with { Seed = options.Seed * 1000 + fold }, e => progress?.Invoke(fold, e), cancel);
            return (result.BestEpoch, s => Predict(result.Head, s));
        });

    /// <summary>
    /// k-fold cross-validation of any trainer: <paramref name="train"/> gets (training, validation, fold) and returns its best
    /// epoch and a predictor, which then predicts the held-out fold.
    /// </summary>
    public static (Prediction[] Predictions, List<FoldResult> Folds) Run<TSample>(IReadOnlyList<TSample> samples, int k, int seed, double validationFraction,
        Func<IReadOnlyList<TSample>, IReadOnlyList<TSample>, int, (int BestEpoch, Func<TSample, Prediction> Predict)> train)
    {
        var folds = Folds(samples.Count, k, seed);
        var predictions = new Prediction[samples.Count];
        var results = new List<FoldResult>();
        for (int f = 0; f < k; f++)
        {
            var rest = Enumerable.Range(0, samples.Count).Where(i => folds[i] != f).ToArray();
            var test = Enumerable.Range(0, samples.Count).Where(i => folds[i] == f).ToArray();
            var (trainIdx, validation) = Split(rest.Length, validationFraction, seed * 1000 + f);
            var (bestEpoch, predict) = train(trainIdx.Select(i => samples[rest[i]]).ToList(), validation.Select(i => samples[rest[i]]).ToList(), f);
            var held = new Prediction[test.Length];
            Parallel.For(0, test.Length, t => held[t] = predict(samples[test[t]]));
            for (int t = 0; t < test.Length; t++) predictions[test[t]] = held[t];
            var metrics = AgeGenderMetrics.Compute(held);
            results.Add(new FoldResult(f, trainIdx.Length, validation.Length, test.Length, bestEpoch, metrics.Mae, metrics.GenderAccuracy));
        }
        return (predictions, results);
    }

    public static Prediction Predict(HeadNetwork head, HeadSample sample)
    {
        var (age, male) = HeadTrainer.Predict(head, sample);
        return ToPrediction(sample.Age, sample.Gender, age, male);
    }

    public static Prediction Predict(LastBlockAdapter adapter, HeadNetwork head, LastBlockSample sample)
    {
        var (age, male) = LastBlockTrainer.Predict(adapter, head, sample);
        return ToPrediction(sample.Age, sample.Gender, age, male);
    }

    private static Prediction ToPrediction(double trueAge, Gender? gender, double age, float male)
        => new(trueAge, gender, age, male >= 0.5f ? Gender.Male : Gender.Female, male);
}

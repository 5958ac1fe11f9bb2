using System.Globalization;
using FaceAge.Training.Evaluation;
using FaceAge.Training;

namespace FaceAge.Cli.Commands;

/// <summary>
/// What `faceage train` does once the samples are ready, for either kind of training: k-fold cross-validation
/// (each image predicted by a model that never saw it), then the final model on all images with a seeded part
/// held out for early stopping; progress on stderr, results on stdout.
/// </summary>
internal sealed class TrainingRun(int seed, double validationFraction, int folds, HeadTrainingOptions options, CancellationToken cancel)
{
    public sealed record CrossValidated(Prediction[] Predictions, AgeGenderMetrics Metrics, List<FoldResult> Folds);

    public sealed record Outcome(HeadNetwork Head, LastBlockAdapter? Adapter, int BestEpoch, AgeGenderMetrics Validation, int[] ValidationIndices,
        CrossValidated? CrossValidation);

    /// <summary>Heads on frozen backbone features.</summary>
    public Outcome Heads(IReadOnlyList<HeadSample> samples) => Run(samples, (train, validation, s, label) =>
    {
        var r = HeadTrainer.Train(train, validation, options with { Seed = s }, e => Epoch(label, "", e), cancel);
        return (r.Head, null, r.BestEpoch, sample => CrossValidation.Predict(r.Head, sample));
    });

    /// <summary>Heads trained together with the backbone's last block.</summary>
    public Outcome LastBlock(IReadOnlyList<LastBlockSample> samples, StockLayers stock, LastBlockOptions block) => Run(samples, (train, validation, s, label) =>
    {
        var r = LastBlockTrainer.Train(train, validation, stock, options with { Seed = s }, block, (stage, e) => Epoch(label, stage + " ", e), cancel);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: head only validation MAE {r.Probe.ValidationMae:0.000}; with the last block {r.ValidationMae:0.000} (block epoch {r.BestEpoch})"));
        return (r.Head, r.Adapter, r.BestEpoch, sample => CrossValidation.Predict(r.Adapter, r.Head, sample));
    });

    private delegate (HeadNetwork Head, LastBlockAdapter? Adapter, int BestEpoch, Func<T, Prediction> Predict) Trainer<T>(
        IReadOnlyList<T> train, IReadOnlyList<T> validation, int seed, string label);

    private Outcome Run<T>(IReadOnlyList<T> samples, Trainer<T> trainer)
    {
        CrossValidated? crossValidated = null;
        if (folds >= 2)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (predictions, foldResults) = CrossValidation.Run(samples, folds, seed, validationFraction, (train, validation, f) =>
            {
                var r = trainer(train, validation, options.Seed * 1000 + f, $"fold {f + 1}/{folds}");
                return (r.BestEpoch, r.Predict);
            });
            var metrics = AgeGenderMetrics.Compute(predictions);
            Console.WriteLine($"{folds}-fold cross-validation ({clock.Elapsed:mm\\:ss}):");
            foreach (var f in foldResults)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fold {f.Fold + 1}: n={f.TestImages} MAE {f.TestMae:0.00} gender {f.TestGenderAccuracy:P1} (best epoch {f.BestEpoch})"));
            EvalCommand.Print(metrics, 0);
            crossValidated = new CrossValidated(predictions, metrics, foldResults);
        }

        var (trainIdx, validationIdx) = CrossValidation.Split(samples.Count, validationFraction, seed);
        var final = trainer(trainIdx.Select(i => samples[i]).ToList(), validationIdx.Select(i => samples[i]).ToList(), options.Seed, "final");
        var validationMetrics = AgeGenderMetrics.Compute(validationIdx.Select(i => final.Predict(samples[i])).ToList());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"final: best epoch {final.BestEpoch}, validation MAE {validationMetrics.Mae:0.00}, gender {validationMetrics.GenderAccuracy:P1} (n={validationIdx.Length})"));
        return new Outcome(final.Head, final.Adapter, final.BestEpoch, validationMetrics, validationIdx, crossValidated);
    }

    private static void Epoch(string label, string stage, EpochRecord e) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label} {stage}epoch {e.Epoch}: loss {e.TrainLoss:0.000}, validation MAE {e.ValidationMae:0.000}, gender {e.ValidationGenderAccuracy:P1}"));
}

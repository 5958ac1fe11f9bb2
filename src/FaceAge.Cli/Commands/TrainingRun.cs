using System.Globalization;
using FaceAge.Training;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>
/// What `faceage train` does once the samples are ready: k-fold cross-validation (each image predicted by a head that
/// never saw it, one person's photos in one fold), a cross-dataset table of the held-out figures, and the final head on
/// all images with a seeded part of each data set held out for early stopping; progress on stderr, results on stdout.
/// </summary>
internal sealed class TrainingRun(
    int seed, double validationFraction, int folds, HeadTrainingOptions options, IReadOnlyList<string> datasetNames, CancellationToken cancel)
{
    public sealed record CrossValidated(
        Prediction[] Predictions, IReadOnlyList<ModelCard.DatasetMetrics> Metrics, ValidationScore Score, List<FoldResult> Folds);

    public sealed record Outcome(HeadNetwork Head, int BestEpoch, IReadOnlyList<ModelCard.DatasetMetrics> Validation, int[] ValidationIndices);

    /// <summary>k-fold cross-validation: held-out predictions (raw ±), their figures per data set, and their validation score.</summary>
    public CrossValidated CrossValidate(IReadOnlyList<HeadSample> samples, string label)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (predictions, foldResults) = CrossValidation.Run(samples, folds, seed, validationFraction, options,
            (f, e) => Epoch($"{label} fold {f + 1}/{folds}", e), cancel);
        var score = ValidationScore.Of(predictions, samples);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {folds}-fold cross-validation in {clock.Elapsed:mm\\:ss}, score {score.Score:0.000}"));
        return new CrossValidated(predictions, PerDataset(predictions, samples), score, foldResults);
    }

    /// <summary>The final head: all samples but a seeded, grouped part of each data set held out for early stopping.</summary>
    public Outcome Final(IReadOnlyList<HeadSample> samples, double uncertaintyScale)
    {
        var (trainIdx, validationIdx) = CrossValidation.Split(samples, validationFraction, seed);
        var validation = validationIdx.Select(i => samples[i]).ToList();
        var result = HeadTrainer.Train(trainIdx.Select(i => samples[i]).ToList(), validation, options, e => Epoch("final", e), cancel);
        var predictions = UncertaintyCalibration.Apply(validation.Select(s => CrossValidation.Predict(result.Head, s)).ToList(), uncertaintyScale);
        var metrics = PerDataset(predictions, validation);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"final head: best epoch {result.BestEpoch}, validation {result.Validation.Describe(datasetNames)} (n={validationIdx.Length})"));
        return new Outcome(result.Head, result.BestEpoch, metrics, validationIdx);
    }

    public IReadOnlyList<ModelCard.DatasetMetrics> PerDataset(IReadOnlyList<Prediction> predictions, IReadOnlyList<HeadSample> samples)
        => predictions.Select((p, i) => (p, samples[i].Dataset)).GroupBy(x => x.Dataset).OrderBy(g => g.Key)
            .Select(g => new ModelCard.DatasetMetrics(datasetNames[g.Key], AgeGenderMetrics.Compute(g.Select(x => x.p).ToList()))).ToList();

    private void Epoch(string label, EpochRecord e) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label} epoch {e.Epoch}: loss {e.TrainLoss:0.000}, score {e.Validation.Score:0.000}: {e.Validation.Describe(datasetNames)}"));
}

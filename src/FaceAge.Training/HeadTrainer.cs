using System.Numerics.Tensors;
using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>
/// One labelled image as the head sees it: the features of each view (the crop, its mirror), and what its label holds —
/// an exact age, an age group (interval), a gender, or some of these. <paramref name="Dataset"/> numbers its data set
/// (datasets are weighted and scored each on its own); <paramref name="Group"/> keeps one person's photos in one fold.
/// </summary>
public sealed record HeadSample(float[][] Views, double? Age, Gender? Gender, AgeInterval? AgeGroup = null, int Dataset = 0, string? Group = null)
{
    /// <summary>An age to place the sample on the age axis (the exact age, or the middle of its group; 75 for an open top group).</summary>
    public double NominalAge => Age ?? (AgeGroup is { } g ? (g.High is { } h ? (g.Low + h + 1) / 2.0 : g.Low + 5) : double.NaN);
}

/// <summary>
/// Hyper-parameters of <see cref="HeadTrainer"/>; recorded in the model card. The defaults are the best of the
/// configurations compared by 5-fold cross-validation on utkface-dev (docs/accuracy.md).
/// </summary>
public sealed record HeadTrainingOptions
{
    /// <summary>Shared hidden ReLU units; 0 = linear heads.</summary>
    public int Hidden { get; init; } = 256;
    public int MaxEpochs { get; init; } = 60;
    /// <summary>Stop after this many epochs without a better validation MAE; the best epoch's weights are kept.</summary>
    public int Patience { get; init; } = 8;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 3e-4;
    /// <summary>Decoupled (AdamW) weight decay on the weights, not the biases.</summary>
    public double WeightDecay { get; init; } = 1e-2;
    /// <summary>Width (years) of the Gaussian age target of label-distribution learning.</summary>
    public double AgeSigma { get; init; } = 2.5;
    /// <summary>Weight of the L1 loss on the expected age (years), added to the distribution loss.</summary>
    public double ExpectationWeight { get; init; } = 0.1;
    /// <summary>Re-weighting by age: weight ∝ (count of the sample's 5-year bin)^−power; 0 = none, 1 = fully balanced.</summary>
    public double AgeReweightPower { get; init; } = 0.5;
    /// <summary>Fraction of input features zeroed at random during training (inverted dropout).</summary>
    public double InputDropout { get; init; } = 0.5;
    /// <summary>Data sets weighted by (rows of all / rows of this one)^power: 0 = by size, 1 = each the same total weight.</summary>
    public double DatasetBalance { get; init; } = 0.5;
    public int Seed { get; init; } = 1;

    public IEnumerable<string> Validate()
    {
        if (Hidden is < 0 or > 4096) yield return $"--hidden must be 0–4096, got {Hidden}.";
        if (MaxEpochs is < 1 or > 10000) yield return $"--epochs must be 1–10000, got {MaxEpochs}.";
        if (Patience < 1) yield return $"--patience must be ≥ 1, got {Patience}.";
        if (BatchSize is < 1 or > 65536) yield return $"--batch-size must be 1–65536, got {BatchSize}.";
        if (LearningRate is <= 0 or > 1) yield return $"--learning-rate must be in (0, 1], got {LearningRate}.";
        if (WeightDecay is < 0 or > 1) yield return $"--weight-decay must be in [0, 1], got {WeightDecay}.";
        if (AgeSigma is <= 0 or > 20) yield return $"--age-sigma must be in (0, 20], got {AgeSigma}.";
        if (ExpectationWeight < 0) yield return $"--expectation-weight must be ≥ 0, got {ExpectationWeight}.";
        if (AgeReweightPower is < 0 or > 1) yield return $"--age-reweight must be in [0, 1], got {AgeReweightPower}.";
        if (InputDropout is < 0 or >= 1) yield return $"--dropout must be in [0, 1), got {InputDropout}.";
        if (DatasetBalance is < 0 or > 1) yield return $"--dataset-balance must be in [0, 1], got {DatasetBalance}.";
    }
}

/// <summary>One epoch of training: its mean training loss and the validation score after it (<see cref="ValidationScore"/>).</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, ValidationScore Validation);

public sealed record HeadTrainingResult(HeadNetwork Head, int BestEpoch, ValidationScore Validation, IReadOnlyList<EpochRecord> History);

/// <summary>
/// Trains a <see cref="HeadNetwork"/> on frozen backbone features: label-distribution learning for age (soft
/// Gaussian targets over 0–120 for exact ages; for an age group, the log-probability of the group), cross-entropy plus
/// an L1 term on the expected age (its distance to the group for group labels), logistic loss for gender, AdamW, input
/// dropout, age and data-set re-weighting, early stopping on the validation score of each data set
/// (<see cref="ValidationScore"/>: every set counts the same, never the largest alone). Deterministic for a seed.
/// </summary>
public static class HeadTrainer
{
    public static HeadTrainingResult Train(IReadOnlyList<HeadSample> train, IReadOnlyList<HeadSample> validation, HeadTrainingOptions options,
        Action<EpochRecord>? progress = null, CancellationToken cancel = default)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        if (train.Count == 0 || validation.Count == 0) throw new ArgumentException("Training and validation sets must not be empty.");
        int d = train[0].Views[0].Length;
        var random = new Random(options.Seed);

        // Rows = every view of every training image; standardization from those rows.
        var rows = train.SelectMany(s => s.Views.Select(v => (Features: v, Sample: s))).ToList();
        var (mean, scale) = Standardization(rows.Select(r => r.Features), d);
        var net = new HeadNetwork(d, options.Hidden, mean, scale);
        Initialize(net, random);
        var x = new float[rows.Count * d];
        for (int i = 0; i < rows.Count; i++) net.Standardize(rows[i].Features, x.AsSpan(i * d, d));
        var targets = rows.Select(r => AgeTarget.Of(r.Sample, options.AgeSigma)).ToArray();
        var ageWeights = AgeWeights(rows.Select(r => r.Sample.NominalAge).ToList(), options.AgeReweightPower);
        var setWeights = DatasetWeights(rows.Select(r => r.Sample.Dataset).ToList(), options.DatasetBalance);
        var genderWeights = GenderWeights(rows.Select(r => r.Sample.Gender).ToList());
        for (int i = 0; i < rows.Count; i++)
        {
            ageWeights[i] *= setWeights[i];
            genderWeights[i] *= setWeights[i];
        }

        var optimizer = new AdamW(net.Parameters.ToArray(), HeadNetwork.Decays, options.LearningRate, options.WeightDecay);
        var gradients = net.Parameters.Select(p => new float[p.Length]).ToArray();
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var step = new HeadBatchStep(net, options.BatchSize);
        var batchTargets = new AgeTarget[options.BatchSize];
        var batchGenders = new Gender?[options.BatchSize];
        var batchAgeWeights = new float[options.BatchSize];
        var batchGenderWeights = new float[options.BatchSize];
        var history = new List<EpochRecord>();
        HeadNetwork best = net.Clone();
        ValidationScore? bestScore = null;
        int bestEpoch = 0;
        float keep = (float)(1 - options.InputDropout);

        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            random.Shuffle(order);
            double lossSum = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                foreach (var g in gradients) Array.Clear(g);
                int count = Math.Min(order.Length, start + options.BatchSize) - start;
                for (int b = 0; b < count; b++)
                {
                    int r = order[start + b];
                    var input = step.Input(b);
                    x.AsSpan(r * d, d).CopyTo(input);
                    if (options.InputDropout > 0)
                        for (int k = 0; k < d; k++) input[k] = random.NextSingle() < keep ? input[k] / keep : 0;
                    (batchTargets[b], batchGenders[b], batchAgeWeights[b], batchGenderWeights[b]) = (targets[r], rows[r].Sample.Gender, ageWeights[r],
                        genderWeights[r]);
                }
                lossSum += step.Run(count, batchTargets, batchGenders, batchAgeWeights, batchGenderWeights, options.ExpectationWeight, gradients);
                foreach (var g in gradients) TensorPrimitives.Divide(g, count, g);
                optimizer.Step(gradients);
            }
            var score = ValidationScore.Of(validation.Select(s => CrossValidation.Predict(net, s)).ToList(), validation);
            var record = new EpochRecord(epoch, lossSum / rows.Count, score);
            history.Add(record);
            progress?.Invoke(record);
            if (bestScore is null || score.Score < bestScore.Score - 1e-4)
            {
                bestScore = score;
                bestEpoch = epoch;
                best = net.Clone();
            }
            else if (epoch - bestEpoch >= options.Patience) break;
        }
        return new HeadTrainingResult(best, bestEpoch, bestScore!, history);
    }

    /// <summary>Per image: age distribution and P(male) averaged over its views.</summary>
    public static (float[] Age, float Male) Predict(HeadNetwork net, HeadSample sample)
    {
        var age = new float[HeadNetwork.AgeBins];
        float male = 0;
        foreach (var view in sample.Views)
        {
            var (a, m) = net.Predict(view);
            TensorPrimitives.Add(age, a, age);
            male += m;
        }
        TensorPrimitives.Divide(age, sample.Views.Length, age);
        return (age, male / sample.Views.Length);
    }

    public static float[] GaussianTarget(double age, double sigma)
    {
        var t = new float[HeadNetwork.AgeBins];
        double sum = 0;
        for (int k = 0; k < t.Length; k++)
        {
            double z = (k - age) / sigma;
            t[k] = z * z > 50 ? 0 : (float)Math.Exp(-0.5 * z * z);
            sum += t[k];
        }
        for (int k = 0; k < t.Length; k++) t[k] = (float)(t[k] / sum);
        return t;
    }

    /// <summary>Weights ∝ (count of the 5-year age bin)^−power, normalized to mean 1, so rare ages (children, the
    /// elderly) count more. Rows without an age weigh 0.</summary>
    public static float[] AgeWeights(IReadOnlyList<double> ages, double power)
    {
        var bins = ages.Select(a => double.IsNaN(a) ? -1 : Math.Clamp((int)(a / 5), 0, 24)).ToArray();
        var counts = bins.Where(b => b >= 0).GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        var raw = bins.Select(b => b < 0 ? 0 : Math.Pow(counts[b], -power)).ToArray();
        double mean = raw.Where((_, i) => bins[i] >= 0).DefaultIfEmpty(1).Average();
        return raw.Select(w => (float)(w / mean)).ToArray();
    }

    /// <summary>Per row: (rows of all data sets / rows of its data set)^power, normalized to mean 1.</summary>
    public static float[] DatasetWeights(IReadOnlyList<int> datasets, double power)
    {
        var counts = datasets.GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());
        var raw = datasets.Select(d => Math.Pow((double)datasets.Count / counts[d], power)).ToArray();
        double mean = raw.Average();
        return raw.Select(w => (float)(w / mean)).ToArray();
    }

    /// <summary>Balanced gender weights (each gender's rows sum to half), mean 1 over labelled rows.</summary>
    public static float[] GenderWeights(IReadOnlyList<Gender?> genders)
    {
        int male = genders.Count(g => g == Gender.Male), female = genders.Count(g => g == Gender.Female), n = male + female;
        return genders.Select(g => g switch
        {
            Gender.Male => n / (2f * male),
            Gender.Female => n / (2f * female),
            _ => 0f,
        }).ToArray();
    }

    internal static (float[] Mean, float[] Scale) Standardization(IEnumerable<float[]> rows, int d)
    {
        var sum = new double[d];
        var squares = new double[d];
        int n = 0;
        foreach (var r in rows)
        {
            for (int k = 0; k < d; k++)
            {
                sum[k] += r[k];
                squares[k] += (double)r[k] * r[k];
            }
            n++;
        }
        var mean = new float[d];
        var scale = new float[d];
        for (int k = 0; k < d; k++)
        {
            double m = sum[k] / n, variance = Math.Max(0, squares[k] / n - m * m);
            mean[k] = (float)m;
            // A feature that never varies (a dead channel) carries nothing; scale 0 keeps it out for good, where 1/√ε
            // would blow up the first change a fine-tuned block makes to it.
            scale[k] = variance <= 1e-12 ? 0f : (float)(1 / Math.Sqrt(variance + 1e-8));
        }
        return (mean, scale);
    }

    internal static void Initialize(HeadNetwork net, Random random)
    {
        // He initialization for the ReLU layer; output layers start small so the first predictions are near-uniform.
        double std1 = Math.Sqrt(2.0 / net.Inputs), stdOut = 0.01;
        for (int i = 0; i < net.W1.Length; i++) net.W1[i] = (float)(Normal(random) * std1);
        for (int i = 0; i < net.WAge.Length; i++) net.WAge[i] = (float)(Normal(random) * stdOut);
        for (int i = 0; i < net.WMale.Length; i++) net.WMale[i] = (float)(Normal(random) * stdOut);
    }

    internal static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

using System.Numerics.Tensors;
using FaceAge.Core.Analysis;

namespace FaceAge.Training;

/// <summary>One labelled image as the head sees it: backbone features of each view (the crop, its mirror).</summary>
public sealed record HeadSample(float[][] Views, double Age, Gender? Gender);

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
    }
}

/// <summary>One epoch of training: its mean training loss and the validation metrics after it.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationMae, double ValidationGenderAccuracy);

public sealed record HeadTrainingResult(HeadNetwork Head, int BestEpoch, double ValidationMae, double ValidationGenderAccuracy, IReadOnlyList<EpochRecord> History);

/// <summary>
/// Trains a <see cref="HeadNetwork"/> on frozen backbone features: label-distribution learning for age
/// (soft Gaussian targets over 0–120, cross-entropy, plus an L1 term on the expected age), logistic loss for
/// gender, AdamW, input dropout, age re-weighting, early stopping on validation MAE. Deterministic for a seed.
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
        var rows = train.SelectMany(s => s.Views.Select(v => (Features: v, s.Age, s.Gender))).ToList();
        var (mean, scale) = Standardization(rows.Select(r => r.Features), d);
        var net = new HeadNetwork(d, options.Hidden, mean, scale);
        Initialize(net, random);
        var x = new float[rows.Count * d];
        for (int i = 0; i < rows.Count; i++) net.Standardize(rows[i].Features, x.AsSpan(i * d, d));
        var targets = rows.Select(r => GaussianTarget(r.Age, options.AgeSigma)).ToArray();
        var ageWeights = AgeWeights(rows.Select(r => r.Age).ToList(), options.AgeReweightPower);
        var genderWeights = GenderWeights(rows.Select(r => r.Gender).ToList());

        var optimizer = new AdamW(net.Parameters.ToArray(), HeadNetwork.Decays, options.LearningRate, options.WeightDecay);
        var gradients = net.Parameters.Select(p => new float[p.Length]).ToArray();
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var input = new float[d];
        var hidden = new float[net.Width];
        var age = new float[HeadNetwork.AgeBins];
        var deltaHidden = new float[net.Width];
        var history = new List<EpochRecord>();
        HeadNetwork best = net.Clone();
        double bestMae = double.MaxValue, bestGender = 0;
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
                int end = Math.Min(order.Length, start + options.BatchSize);
                for (int b = start; b < end; b++)
                {
                    int r = order[b];
                    x.AsSpan(r * d, d).CopyTo(input);
                    if (options.InputDropout > 0)
                        for (int k = 0; k < d; k++) input[k] = random.NextSingle() < keep ? input[k] / keep : 0;
                    lossSum += Accumulate(net, input, hidden, age, deltaHidden, targets[r], rows[r].Age, rows[r].Gender, ageWeights[r], genderWeights[r], options, gradients);
                }
                float batch = end - start;
                foreach (var g in gradients) TensorPrimitives.Divide(g, batch, g);
                optimizer.Step(gradients);
            }
            var (mae, genderAccuracy) = Evaluate(net, validation);
            var record = new EpochRecord(epoch, lossSum / rows.Count, mae, genderAccuracy);
            history.Add(record);
            progress?.Invoke(record);
            if (mae < bestMae - 1e-4)
            {
                bestMae = mae;
                bestGender = genderAccuracy;
                bestEpoch = epoch;
                best = net.Clone();
            }
            else if (epoch - bestEpoch >= options.Patience) break;
        }
        return new HeadTrainingResult(best, bestEpoch, bestMae, bestGender, history);
    }

    /// <summary>Per image: age distribution and P(male) averaged over its views.</summary>
    public static (double Age, float Male) Predict(HeadNetwork net, HeadSample sample)
    {
        var age = new float[HeadNetwork.AgeBins];
        float male = 0;
        foreach (var view in sample.Views)
        {
            var (a, m) = net.Predict(view);
            TensorPrimitives.Add(age, a, age);
            male += m;
        }
        return (HeadNetwork.ExpectedAge(age) / sample.Views.Length, male / sample.Views.Length);
    }

    public static (double Mae, double GenderAccuracy) Evaluate(HeadNetwork net, IReadOnlyList<HeadSample> samples)
        => Score(samples.Select(s => Predict(net, s)).ToList(), samples.Select(s => (s.Age, s.Gender)).ToList());

    /// <summary>Validation score of per-image predictions: age MAE and gender accuracy (P(male) ≥ 0.5 = male) over the images with a gender.</summary>
    internal static (double Mae, double GenderAccuracy) Score(IReadOnlyList<(double Age, float Male)> predicted, IReadOnlyList<(double Age, Gender? Gender)> truth)
    {
        double error = 0;
        int genderN = 0, genderRight = 0;
        for (int i = 0; i < predicted.Count; i++)
        {
            error += Math.Abs(predicted[i].Age - truth[i].Age);
            if (truth[i].Gender is { } g)
            {
                genderN++;
                if ((predicted[i].Male >= 0.5f) == (g == Gender.Male)) genderRight++;
            }
        }
        return (error / predicted.Count, genderN > 0 ? (double)genderRight / genderN : double.NaN);
    }

    /// <summary>
    /// Forward and backward pass of one row; adds its gradients; returns its loss. With <paramref name="deltaInput"/>
    /// it also receives d(loss)/d(x), for training what computes the features (a fine-tuned backbone block).
    /// </summary>
    internal static double Accumulate(HeadNetwork net, float[] x, float[] hidden, float[] age, float[] deltaHidden, float[] target, double trueAge,
        Gender? gender, float ageWeight, float genderWeight, HeadTrainingOptions options, float[][] gradients, float[]? deltaInput = null)
    {
        if (deltaInput is not null) Array.Clear(deltaInput);
        var (gW1, gB1, gWAge, gBAge, gWMale, gBMale) = (gradients[0], gradients[1], gradients[2], gradients[3], gradients[4], gradients[5]);
        int width = net.Width;
        float male = net.Forward(x, hidden, age);
        double loss = 0;

        // Age: d(cross-entropy)/d(logit_k) = p_k − t_k; d|E − y|/d(logit_k) = sign(E − y) · p_k (k − E).
        double expected = HeadNetwork.ExpectedAge(age);
        float sign = Math.Sign(expected - trueAge) * (float)options.ExpectationWeight;
        for (int k = 0; k < HeadNetwork.AgeBins; k++)
        {
            if (target[k] > 0) loss -= ageWeight * target[k] * Math.Log(Math.Max(age[k], 1e-12f));
            age[k] = ageWeight * (age[k] - target[k] + sign * age[k] * (float)(k - expected));
        }
        loss += ageWeight * options.ExpectationWeight * Math.Abs(expected - trueAge);
        Array.Clear(deltaHidden);
        for (int k = 0; k < HeadNetwork.AgeBins; k++)
        {
            float delta = age[k];
            if (delta == 0) continue;
            var row = net.WAge.AsSpan(k * width, width);
            TensorPrimitives.MultiplyAdd(hidden.AsSpan(0, width), delta, gWAge.AsSpan(k * width, width), gWAge.AsSpan(k * width, width));
            gBAge[k] += delta;
            if (net.Hidden > 0) TensorPrimitives.MultiplyAdd(row, delta, deltaHidden.AsSpan(0, width), deltaHidden.AsSpan(0, width));
            else if (deltaInput is not null) TensorPrimitives.MultiplyAdd(row, delta, deltaInput, deltaInput);
        }

        // Gender: logistic loss, d/d(logit) = q − y.
        if (gender is { } g)
        {
            float y = g == Gender.Male ? 1 : 0;
            loss -= genderWeight * (y * Math.Log(Math.Max(male, 1e-7f)) + (1 - y) * Math.Log(Math.Max(1 - male, 1e-7f)));
            float delta = genderWeight * (male - y);
            TensorPrimitives.MultiplyAdd(hidden.AsSpan(0, width), delta, gWMale, gWMale);
            gBMale[0] += delta;
            if (net.Hidden > 0) TensorPrimitives.MultiplyAdd(net.WMale, delta, deltaHidden.AsSpan(0, width), deltaHidden.AsSpan(0, width));
            else if (deltaInput is not null) TensorPrimitives.MultiplyAdd(net.WMale, delta, deltaInput, deltaInput);
        }

        if (net.Hidden > 0)
        {
            int d = net.Inputs;
            for (int j = 0; j < net.Hidden; j++)
            {
                if (hidden[j] <= 0 || deltaHidden[j] == 0) continue; // ReLU passes no gradient where it was off
                TensorPrimitives.MultiplyAdd(x, deltaHidden[j], gW1.AsSpan(j * d, d), gW1.AsSpan(j * d, d));
                gB1[j] += deltaHidden[j];
                if (deltaInput is not null) TensorPrimitives.MultiplyAdd(net.W1.AsSpan(j * d, d), deltaHidden[j], deltaInput, deltaInput);
            }
        }
        return loss;
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

    /// <summary>Weights ∝ (count of the 5-year age bin)^−power, normalized to mean 1, so rare ages (children, the elderly) count more.</summary>
    public static float[] AgeWeights(IReadOnlyList<double> ages, double power)
    {
        var bins = ages.Select(a => Math.Clamp((int)(a / 5), 0, 24)).ToArray();
        var counts = bins.GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        var raw = bins.Select(b => Math.Pow(counts[b], -power)).ToArray();
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

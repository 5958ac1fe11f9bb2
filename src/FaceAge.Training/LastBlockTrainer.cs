using System.Numerics.Tensors;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;

namespace FaceAge.Training;

/// <summary>One labelled image as the last block sees it: per view (crop, mirror) its cached x and z (<see cref="LastBlockAdapter.ViewLength"/>).</summary>
public sealed record LastBlockSample(Half[][] Views, double Age, Gender? Gender);

/// <summary>Hyper-parameters of the last-block stage; recorded in the model card.</summary>
public sealed record LastBlockOptions
{
    /// <summary>Rank of the update of the 1×1 convolution's weights.</summary>
    public int Rank { get; init; } = 16;
    /// <summary>AdamW learning rate of the block's parameters (the head keeps its own).</summary>
    public double LearningRate { get; init; } = 3e-4;
    public int MaxEpochs { get; init; } = 12;
    public int Patience { get; init; } = 3;

    public IEnumerable<string> Validate()
    {
        if (Rank is < 1 or > LastBlockAdapter.Channels) yield return $"--rank must be 1–{LastBlockAdapter.Channels}, got {Rank}.";
        if (LearningRate is <= 0 or > 1) yield return $"--block-learning-rate must be in (0, 1], got {LearningRate}.";
        if (MaxEpochs is < 1 or > 1000) yield return $"--block-epochs must be 1–1000, got {MaxEpochs}.";
        if (Patience < 1) yield return $"--block-patience must be ≥ 1, got {Patience}.";
    }
}

public sealed record LastBlockTrainingResult(LastBlockAdapter Adapter, HeadNetwork Head, HeadTrainingResult Probe, int BestEpoch,
    double ValidationMae, double ValidationGenderAccuracy, IReadOnlyList<EpochRecord> History);

/// <summary>
/// Two stages, as usual for fine-tuning: (1) a head on the frozen block's features (<see cref="HeadTrainer"/>);
/// (2) the head and the block's low-rank update trained together from there, same losses, early stopping on
/// validation MAE. Epoch 0 of stage 2 is stage 1's result, so fine-tuning that does not help changes nothing.
/// Each epoch sees one view per image, picked at random. Deterministic for a seed.
/// </summary>
public static class LastBlockTrainer
{
    /// <summary>How many parts each batch is split into, each with its own gradients and dropout stream, run in parallel.</summary>
    public const int Lanes = 4;

    public static LastBlockTrainingResult Train(IReadOnlyList<LastBlockSample> train, IReadOnlyList<LastBlockSample> validation, StockLayers stock,
        HeadTrainingOptions headOptions, LastBlockOptions options, Action<string, EpochRecord>? progress = null, CancellationToken cancel = default)
    {
        var errors = headOptions.Validate().Concat(options.Validate()).ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        if (train.Count == 0 || validation.Count == 0) throw new ArgumentException("Training and validation sets must not be empty.");

        // Stage 1: the frozen block's features (the adapter at its identity start), then a head on them.
        var adapter = new LastBlockAdapter(options.Rank, stock);
        var random = new Random(headOptions.Seed);
        adapter.Initialize(random);
        var probe = HeadTrainer.Train(Features(adapter, train), Features(adapter, validation), headOptions, e => progress?.Invoke("head", e), cancel);

        // Stage 2: block + head.
        var head = probe.Head.Clone();
        var parameters = adapter.Parameters.Concat(head.Parameters).ToArray();
        var rates = adapter.Parameters.Select(_ => options.LearningRate).Concat(head.Parameters.Select(_ => headOptions.LearningRate)).ToArray();
        var optimizer = new AdamW(parameters, LastBlockAdapter.Decays.Concat(HeadNetwork.Decays).ToArray(), rates, headOptions.WeightDecay);
        var targets = train.Select(s => HeadTrainer.GaussianTarget(s.Age, headOptions.AgeSigma)).ToArray();
        var ageWeights = HeadTrainer.AgeWeights(train.Select(s => s.Age).ToList(), headOptions.AgeReweightPower);
        var genderWeights = HeadTrainer.GenderWeights(train.Select(s => s.Gender).ToList());
        // A fixed number of lanes (not the core count) keeps the result the same on every machine.
        const int workers = Lanes;
        var lanes = Enumerable.Range(0, workers).Select(_ => new Lane(adapter, head)).ToArray();
        var order = Enumerable.Range(0, train.Count).ToArray();
        var views = new int[train.Count];

        var history = new List<EpochRecord>();
        var (bestAdapter, bestHead) = (adapter.Clone(), head.Clone());
        double bestMae = probe.ValidationMae, bestGender = probe.ValidationGenderAccuracy;
        int bestEpoch = 0;
        float keep = (float)(1 - headOptions.InputDropout);
        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            random.Shuffle(order);
            for (int i = 0; i < views.Length; i++) views[i] = random.Next(train[i].Views.Length);
            // Dropout masks are drawn per lane from seeds fixed here, so the result does not depend on thread timing.
            double lossSum = 0;
            for (int start = 0; start < order.Length; start += headOptions.BatchSize)
            {
                int end = Math.Min(order.Length, start + headOptions.BatchSize);
                int seed = random.Next();
                Parallel.For(0, workers, w =>
                {
                    var lane = lanes[w];
                    lane.Clear();
                    var laneRandom = new Random(seed + w);
                    for (int b = start + w; b < end; b += workers)
                    {
                        int r = order[b];
                        lane.Loss += lane.Step(train[r].Views[views[r]], targets[r], train[r].Age, train[r].Gender, ageWeights[r], genderWeights[r],
                            headOptions, keep, laneRandom);
                    }
                });
                var sum = lanes[0].Gradients;
                lossSum += lanes[0].Loss;
                for (int w = 1; w < workers; w++)
                {
                    lossSum += lanes[w].Loss;
                    for (int p = 0; p < sum.Length; p++) TensorPrimitives.Add(sum[p], lanes[w].Gradients[p], sum[p]);
                }
                float batch = end - start;
                foreach (var g in sum) TensorPrimitives.Divide(g, batch, g);
                optimizer.Step(sum);
            }
            var (mae, gender) = Evaluate(adapter, head, validation);
            var record = new EpochRecord(epoch, lossSum / train.Count, mae, gender);
            history.Add(record);
            progress?.Invoke("block", record);
            if (mae < bestMae - 1e-4)
            {
                (bestMae, bestGender, bestEpoch) = (mae, gender, epoch);
                (bestAdapter, bestHead) = (adapter.Clone(), head.Clone());
            }
            else if (epoch - bestEpoch >= options.Patience) break;
        }
        return new LastBlockTrainingResult(bestAdapter, bestHead, probe, bestEpoch, bestMae, bestGender, history);
    }

    /// <summary>Per image: the head's age distribution and P(male) averaged over its views, through the adapted block.</summary>
    public static (double Age, float Male) Predict(LastBlockAdapter adapter, HeadNetwork head, LastBlockSample sample, LastBlockAdapter.Scratch? scratch = null)
    {
        scratch ??= new LastBlockAdapter.Scratch(adapter.Rank);
        var features = new float[BackboneFeatures.Length];
        var age = new float[HeadNetwork.AgeBins];
        float male = 0;
        foreach (var view in sample.Views)
        {
            adapter.Forward(view, scratch, features);
            var (a, m) = head.Predict(features);
            TensorPrimitives.Add(age, a, age);
            male += m;
        }
        return (HeadNetwork.ExpectedAge(age) / sample.Views.Length, male / sample.Views.Length);
    }

    public static (double Mae, double GenderAccuracy) Evaluate(LastBlockAdapter adapter, HeadNetwork head, IReadOnlyList<LastBlockSample> samples)
    {
        var results = new (double Age, float Male)[samples.Count];
        Parallel.For(0, samples.Count, () => new LastBlockAdapter.Scratch(adapter.Rank), (i, _, scratch) =>
        {
            results[i] = Predict(adapter, head, samples[i], scratch);
            return scratch;
        }, _ => { });
        return HeadTrainer.Score(results, samples.Select(s => (s.Age, s.Gender)).ToList());
    }

    /// <summary>The block's features of every view (for the head stage, or a frozen-features comparison).</summary>
    public static List<HeadSample> Features(LastBlockAdapter adapter, IReadOnlyList<LastBlockSample> samples)
    {
        var result = new HeadSample[samples.Count];
        Parallel.For(0, samples.Count, () => new LastBlockAdapter.Scratch(adapter.Rank), (i, _, scratch) =>
        {
            var views = new float[samples[i].Views.Length][];
            for (int v = 0; v < views.Length; v++)
            {
                views[v] = new float[BackboneFeatures.Length];
                adapter.Forward(samples[i].Views[v], scratch, views[v]);
            }
            result[i] = new HeadSample(views, samples[i].Age, samples[i].Gender);
            return scratch;
        }, _ => { });
        return [.. result];
    }

    /// <summary>One worker's buffers and gradient sums for a batch.</summary>
    private sealed class Lane(LastBlockAdapter adapter, HeadNetwork head)
    {
        private readonly LastBlockAdapter.Scratch _scratch = new(adapter.Rank);
        private readonly float[] _features = new float[BackboneFeatures.Length], _x = new float[BackboneFeatures.Length], _mask = new float[BackboneFeatures.Length];
        private readonly float[] _hidden = new float[head.Width], _age = new float[HeadNetwork.AgeBins], _deltaHidden = new float[head.Width];
        private readonly float[] _deltaInput = new float[BackboneFeatures.Length];
        public readonly float[][] Gradients = adapter.Parameters.Concat(head.Parameters).Select(p => new float[p.Length]).ToArray();
        public double Loss;

        public void Clear()
        {
            foreach (var g in Gradients) Array.Clear(g);
            Loss = 0;
        }

        public double Step(Half[] view, float[] target, double age, Gender? gender, float ageWeight, float genderWeight, HeadTrainingOptions options, float keep, Random random)
        {
            adapter.Forward(view, _scratch, _features);
            head.Standardize(_features, _x);
            for (int k = 0; k < _x.Length; k++)
            {
                _mask[k] = options.InputDropout > 0 ? (random.NextSingle() < keep ? 1 / keep : 0) : 1;
                _x[k] *= _mask[k];
            }
            double loss = HeadTrainer.Accumulate(head, _x, _hidden, _age, _deltaHidden, target, age, gender, ageWeight, genderWeight, options,
                Gradients[4..], _deltaInput);
            // d(loss)/d(raw feature) = d(loss)/d(x) · dropout mask · standardization scale.
            TensorPrimitives.Multiply(_deltaInput, _mask, _deltaInput);
            TensorPrimitives.Multiply(_deltaInput, head.Scale, _deltaInput);
            adapter.Backward(_deltaInput, _scratch, Gradients);
            return loss;
        }
    }
}

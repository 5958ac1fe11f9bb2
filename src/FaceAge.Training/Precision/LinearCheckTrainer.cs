using FaceAge.Core.Estimation;
using FaceAge.Models.Onnx;

namespace FaceAge.Training.Precision;

/// <summary>
/// One crop's backbone features, whether it is of the class the check finds (a face; a head turned away), and where it came
/// from (for grouped validation).
/// </summary>
public sealed record CheckSample(float[] Features, bool Positive, string Group);

/// <summary>
/// A linear classifier on standardized backbone features (<see cref="BackboneCheck"/>: face or not, turned away or not), with
/// L2 and balanced classes: small enough (1,126 numbers) not to learn the few examples of the rarer class by heart, and
/// free at run time (a dot product on features every estimate computes anyway).
/// </summary>
public sealed class LinearCheck
{
    public required float[] Mean { get; init; }
    public required float[] Scale { get; init; }
    public required float[] Weights { get; init; }
    public required float Bias { get; init; }

    public double Score(ReadOnlySpan<float> features)
    {
        double z = Bias;
        for (int k = 0; k < Weights.Length; k++) z += Weights[k] * (features[k] - Mean[k]) * Scale[k];
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>
    /// As ONNX: "features" [N, 1125] → standardize → Gemm → Sigmoid = the kind's output [N, 1], with the feature layout (the
    /// network's, e.g. "faceres-deep:descriptor1024+age100+male1") and kind in the metadata.
    /// </summary>
    public OnnxModel ToOnnx(string layout, BackboneCheckKind kind, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new OnnxGraph { Name = $"faceage_{kind.Name.Replace('-', '_')}" };
        graph.Inputs.Add(new OnnxValueInfo(BackboneCheck.FeaturesInput, OnnxDataType.Float, [null, Weights.Length]));
        graph.Outputs.Add(new OnnxValueInfo(kind.Output, OnnxDataType.Float, [null, 1]));
        graph.Initializers.Add(OnnxTensor.FromFloats("mean", [Weights.Length], Mean));
        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [Weights.Length], Scale));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [1, Weights.Length], Weights));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [1], [Bias]));
        graph.Nodes.Add(new OnnxNode("Sub", "centre", [BackboneCheck.FeaturesInput, "mean"], ["centred"], []));
        graph.Nodes.Add(new OnnxNode("Mul", "standardize", ["centred", "scale"], ["standardized"], []));
        graph.Nodes.Add(new OnnxNode("Gemm", "gemm", ["standardized", "w", "b"], ["logit"], [OnnxAttribute.Of("transB", 1L)]));
        graph.Nodes.Add(new OnnxNode("Sigmoid", "sigmoid", ["logit"], [kind.Output], []));
        var model = new OnnxModel
        {
            Graph = graph,
            DocString = $"FaceAge {kind.Name}: P({kind.Output}) of a crop from {layout.Split(':')[0]} features ({kind.TrainedBy}).",
        };
        model.Metadata[TrainedHead.LayoutKey] = layout;
        model.Metadata[BackboneCheck.KindKey] = kind.Name;
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) model.Metadata[key] = value;
        return model;
    }
}

public static class LinearCheckTrainer
{
    /// <summary>Full-batch AdamW on the balanced logistic loss plus L2, from zero weights: the same samples give the same model.</summary>
    public static LinearCheck Train(IReadOnlyList<CheckSample> samples, double l2 = 1e-2, int epochs = 400, double learningRate = 0.05)
    {
        if (samples.Count == 0 || samples.All(s => s.Positive) || samples.All(s => !s.Positive))
            throw new ArgumentException("A check needs examples of both classes to learn from (faces and non-faces, turned and not).");
        int d = samples[0].Features.Length, n = samples.Count;
        var mean = new float[d];
        var scale = new float[d];
        for (int k = 0; k < d; k++)
        {
            double m = samples.Average(s => s.Features[k]);
            double v = samples.Average(s => (s.Features[k] - m) * (s.Features[k] - m));
            mean[k] = (float)m;
            scale[k] = v > 1e-12 ? (float)(1 / Math.Sqrt(v)) : 0; // a feature that never varies says nothing
        }
        var x = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) x[i * d + k] = (samples[i].Features[k] - mean[k]) * scale[k];
        int positives = samples.Count(s => s.Positive);
        // Each class weighs half, whatever its count.
        var sampleWeight = samples.Select(s => s.Positive ? 0.5 / positives : 0.5 / (n - positives)).ToArray();

        var w = new float[d];
        var b = new float[1];
        var optimizer = new AdamW([w, b], [false, false], learningRate, 0);
        var gw = new float[d];
        var gb = new float[1];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gw);
            gb[0] = 0;
            for (int i = 0; i < n; i++)
            {
                double z = b[0];
                for (int k = 0; k < d; k++) z += w[k] * x[i * d + k];
                double p = 1 / (1 + Math.Exp(-z));
                float g = (float)((p - (samples[i].Positive ? 1 : 0)) * sampleWeight[i]);
                for (int k = 0; k < d; k++) gw[k] += g * x[i * d + k];
                gb[0] += g;
            }
            for (int k = 0; k < d; k++) gw[k] += (float)(l2 * w[k]);
            optimizer.Step([gw, gb]);
        }
        return new LinearCheck { Mean = mean, Scale = scale, Weights = w, Bias = b[0] };
    }

    /// <summary>Leave-one-group-out: each group's samples scored by a model trained without them.</summary>
    public static List<(CheckSample Sample, double Score)> CrossValidate(IReadOnlyList<CheckSample> samples, double l2 = 1e-2)
    {
        var scored = new List<(CheckSample, double)>();
        foreach (var group in samples.Select(s => s.Group).Distinct().Order(StringComparer.Ordinal))
        {
            var train = samples.Where(s => s.Group != group).ToList();
            if (train.All(s => s.Positive) || train.All(s => !s.Positive)) continue;
            var model = Train(train, l2);
            scored.AddRange(samples.Where(s => s.Group == group).Select(s => (s, model.Score(s.Features))));
        }
        return scored;
    }
}

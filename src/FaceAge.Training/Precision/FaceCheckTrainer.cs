using FaceAge.Core.Estimation;
using FaceAge.Models.Onnx;

namespace FaceAge.Training.Precision;

/// <summary>One crop's backbone features, whether it is a face, and where it came from (for grouped validation).</summary>
public sealed record FaceCheckSample(float[] Features, bool IsFace, string Group);

/// <summary>
/// A linear face/non-face classifier on standardized backbone features, with L2 and balanced classes: small enough
/// (1,126 numbers) not to learn the few non-faces by heart, and free at run time (a dot product on features every
/// estimate computes anyway).
/// </summary>
public sealed class FaceCheckModel
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
    /// As ONNX: "features" [N, 1125] → standardize → Gemm → Sigmoid = "face" [N, 1], with the feature layout (the network's,
    /// e.g. "faceres-deep:descriptor1024+age100+male1") and kind in the metadata.
    /// </summary>
    public OnnxModel ToOnnx(string layout, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new OnnxGraph { Name = "faceage_face_check" };
        graph.Inputs.Add(new OnnxValueInfo(FaceCheck.FeaturesInput, OnnxDataType.Float, [null, Weights.Length]));
        graph.Outputs.Add(new OnnxValueInfo(FaceCheck.FaceOutput, OnnxDataType.Float, [null, 1]));
        graph.Initializers.Add(OnnxTensor.FromFloats("mean", [Weights.Length], Mean));
        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [Weights.Length], Scale));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [1, Weights.Length], Weights));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [1], [Bias]));
        graph.Nodes.Add(new OnnxNode("Sub", "centre", [FaceCheck.FeaturesInput, "mean"], ["centred"], []));
        graph.Nodes.Add(new OnnxNode("Mul", "standardize", ["centred", "scale"], ["standardized"], []));
        graph.Nodes.Add(new OnnxNode("Gemm", "gemm", ["standardized", "w", "b"], ["logit"], [OnnxAttribute.Of("transB", 1L)]));
        graph.Nodes.Add(new OnnxNode("Sigmoid", "sigmoid", ["logit"], [FaceCheck.FaceOutput], []));
        var model = new OnnxModel
        {
            Graph = graph,
            DocString = $"FaceAge face check: P(face) of a detection from {layout.Split(':')[0]} features (faceage train face-check).",
        };
        model.Metadata[TrainedHead.LayoutKey] = layout;
        model.Metadata[FaceCheck.KindKey] = FaceCheck.Kind;
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) model.Metadata[key] = value;
        return model;
    }
}

public static class FaceCheckTrainer
{
    /// <summary>Full-batch AdamW on the balanced logistic loss plus L2, from zero weights: the same samples give the same model.</summary>
    public static FaceCheckModel Train(IReadOnlyList<FaceCheckSample> samples, double l2 = 1e-2, int epochs = 400, double learningRate = 0.05)
    {
        if (samples.Count == 0 || samples.All(s => s.IsFace) || samples.All(s => !s.IsFace))
            throw new ArgumentException("The face check needs both faces and non-faces to learn from.");
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
        int faces = samples.Count(s => s.IsFace);
        // Each class weighs half, whatever its count.
        var sampleWeight = samples.Select(s => s.IsFace ? 0.5 / faces : 0.5 / (n - faces)).ToArray();

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
                float g = (float)((p - (samples[i].IsFace ? 1 : 0)) * sampleWeight[i]);
                for (int k = 0; k < d; k++) gw[k] += g * x[i * d + k];
                gb[0] += g;
            }
            for (int k = 0; k < d; k++) gw[k] += (float)(l2 * w[k]);
            optimizer.Step([gw, gb]);
        }
        return new FaceCheckModel { Mean = mean, Scale = scale, Weights = w, Bias = b[0] };
    }

    /// <summary>Leave-one-group-out: each group's samples scored by a model trained without them.</summary>
    public static List<(FaceCheckSample Sample, double Score)> CrossValidate(IReadOnlyList<FaceCheckSample> samples, double l2 = 1e-2)
    {
        var scored = new List<(FaceCheckSample, double)>();
        foreach (var group in samples.Select(s => s.Group).Distinct().Order(StringComparer.Ordinal))
        {
            var train = samples.Where(s => s.Group != group).ToList();
            if (train.All(s => s.IsFace) || train.All(s => !s.IsFace)) continue;
            var model = Train(train, l2);
            scored.AddRange(samples.Where(s => s.Group == group).Select(s => (s, model.Score(s.Features))));
        }
        return scored;
    }
}

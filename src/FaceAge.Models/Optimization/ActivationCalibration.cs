using FaceAge.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Optimization;

/// <summary>
/// Measures the range of inner tensors of a float model over real inputs, for <see cref="Int8Quantizer.ApplyCalibrated"/>.
/// The model runs once per input in ONNX Runtime with the tensors added as outputs. Each range is widened to a coarse
/// grid (5 significant bits), so that the last-bit differences between CPUs' float kernels give the same int8 model on
/// every machine.
/// </summary>
public static class ActivationCalibration
{
    public static Dictionary<string, (float Min, float Max)> Measure(OnnxModel model, IReadOnlyCollection<string> tensors,
        IEnumerable<DenseTensor<float>> inputs, CancellationToken cancellationToken = default)
    {
        var graph = model.Graph;
        var probe = new OnnxGraph { Name = graph.Name };
        probe.Nodes.AddRange(graph.Nodes);
        probe.Initializers.AddRange(graph.Initializers);
        probe.Inputs.AddRange(graph.Inputs);
        probe.Outputs.AddRange(graph.Outputs);
        var present = graph.Outputs.Select(o => o.Name).ToHashSet();
        probe.Outputs.AddRange(tensors.Where(t => !present.Contains(t)).Select(t => new OnnxValueInfo(t, OnnxDataType.Float, null, null)));
        var bytes = OnnxWriter.ToBytes(new OnnxModel { Graph = probe, Opset = model.Opset });

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        // Graph optimizations could fuse a tensor away; the ranges are of the graph as written.
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        using var session = new InferenceSession(bytes, options);
        string inputName = session.InputMetadata.Keys.Single();
        var ranges = tensors.ToDictionary(t => t, _ => (Min: float.PositiveInfinity, Max: float.NegativeInfinity));
        int runs = 0;
        foreach (var input in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)], tensors);
            foreach (var r in results)
            {
                var values = r.AsTensor<float>() is DenseTensor<float> d ? d.Buffer.Span : r.AsTensor<float>().ToArray();
                var (min, max) = ranges[r.Name];
                foreach (var v in values)
                {
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                ranges[r.Name] = (min, max);
            }
            runs++;
        }
        if (runs == 0) throw new ArgumentException("no calibration inputs were given.", nameof(inputs));
        return ranges.ToDictionary(kv => kv.Key, kv => (Outward(kv.Value.Min), Outward(kv.Value.Max)));
    }

    /// <summary>Rounds away from zero to 5 significant bits (at most 1/16 wider); 0 stays 0.</summary>
    public static float Outward(float v)
    {
        if (v == 0 || !float.IsFinite(v)) return v;
        double step = Math.Pow(2, Math.Floor(Math.Log2(Math.Abs(v))) - 4);
        return (float)(Math.Sign(v) * Math.Ceiling(Math.Abs(v) / step) * step);
    }
}

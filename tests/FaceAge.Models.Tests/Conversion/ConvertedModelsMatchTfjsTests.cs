using FaceAge.Models.Setup;
using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Tests.Conversion;

/// <summary>
/// The numerical proof: each TF.js graph model that the converter claims (every tfjs-graph entry in
/// models/manifest.json) gives the same outputs in ONNX Runtime as the original gives in TF.js,
/// on fixed seeded inputs: |onnx − tfjs| ≤ 1e-4 · max(1, |tfjs|).
/// </summary>
public class ConvertedModelsMatchTfjsTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> GraphModels()
    {
        var data = new TheoryData<string>();
        foreach (var m in ModelManifest.Load(Path.Combine(RepoPaths.Models, "manifest.json")).Models.Where(m => m.IsTfjsGraph && m.Quantize is null))
            data.Add(m.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(GraphModels))]
    public void Converted_model_computes_what_the_tfjs_original_computes(string name)
    {
        var manifest = ModelManifest.Load(Path.Combine(RepoPaths.Models, "manifest.json"));
        var entry = manifest.Find(name);
        var package = manifest.Packages.Single(p => p.Id == entry.Package);
        var modelJson = Path.Combine(RepoPaths.Models, "cache", "src", package.TarballName[..^4], entry.Files.First(f => f.Path.EndsWith(".json")).Path);
        Assert.True(File.Exists(modelJson), $"{modelJson} is missing: run models setup first.");
        var onnxPath = RepoPaths.Model(entry.Onnx);

        // A batch of two where the batch is free, so batching is checked too.
        var shape = entry.Input.Shape.Select((d, i) => d < 0 ? (i == 0 ? 2L : 1L) : d).ToArray();
        var input = SeededInput(name, shape, entry.Input.Mean, entry.Input.Scale);

        var expected = TfjsReference.Run(modelJson, input, shape, entry.Outputs ?? []);

        using var session = new InferenceSession(onnxPath);
        var tensor = new DenseTensor<float>(input, shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), tensor)]);
        var actual = results.ToDictionary(r => r.Name, r => r.AsTensor<float>());

        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var reference = expected[i];
            var onnxName = entry.Outputs is { Count: > 0 } ? reference.Name + ":0" : session.OutputMetadata.Keys.ElementAt(i);
            var got = actual[onnxName];
            Assert.Equal(reference.Shape, got.Dimensions.ToArray());
            var values = got.ToArray();
            double worst = 0;
            int worstAt = 0;
            for (int k = 0; k < values.Length; k++)
            {
                double excess = Math.Abs(values[k] - reference.Values[k]) / Math.Max(1.0, Math.Abs(reference.Values[k]));
                if (double.IsNaN(excess) || excess > worst) { worst = double.IsNaN(excess) ? double.PositiveInfinity : excess; worstAt = k; }
            }
            Assert.True(worst <= Tolerance,
                $"{name} output {reference.Name}: scaled difference {worst:E2} at index {worstAt} (onnx {values[worstAt]}, tfjs "
                    + $"{reference.Values[worstAt]}) exceeds {Tolerance:E0}.");
            // Guard against comparing two constant outputs: the inputs must drive the output.
            Assert.True(reference.Values.Distinct().Count() > 1 || reference.Values.Length == 1,
                $"{name} output {reference.Name} is constant; the check would prove nothing.");
        }
    }

    /// <summary>Deterministic inputs: (pixel − mean) · scale for models that name their normalization, else [0, 1).</summary>
    private static float[] SeededInput(string name, long[] shape, float[]? mean, float scale)
    {
        var random = new Random(StableSeed(name));
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        int channels = (int)shape[^1];
        for (int i = 0; i < values.Length; i++)
            values[i] = mean is { Length: > 0 } m ? (float)((random.NextDouble() * 255 - m[i % channels % m.Length]) * scale) : (float)random.NextDouble();
        return values;
    }

    private static int StableSeed(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));
}

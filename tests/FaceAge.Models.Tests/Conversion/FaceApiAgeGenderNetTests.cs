using FaceAge.Models.Setup;
using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Tests.Conversion;

/// <summary>
/// face-api ships its age/gender network as weights only; FaceAge builds the graph from the published architecture.
/// The proof: the built ONNX model computes what face-api itself computes in Node, for age, gender and the 512 features.
/// </summary>
public class FaceApiAgeGenderNetTests
{
    [Fact]
    public void The_built_graph_computes_what_face_api_computes()
    {
        var manifest = ModelManifest.Load(Path.Combine(RepoPaths.Models, "manifest.json"));
        var entry = manifest.Find("faceapi-age-gender");
        var package = manifest.Packages.Single(p => p.Id == entry.Package);
        var modelDir = Path.Combine(RepoPaths.Models, "cache", "src", package.TarballName[..^4], "model");
        Assert.True(File.Exists(Path.Combine(modelDir, "age_gender_model-weights_manifest.json")), $"{modelDir} is missing: run models setup first.");

        // Two seeded "images" (pixel values 0–255) and a smooth gradient, so the outputs vary.
        long[] shape = [3, 112, 112, 3];
        var input = new float[3 * 112 * 112 * 3];
        var random = new Random(112);
        for (int i = 0; i < 2 * 112 * 112 * 3; i++) input[i] = (float)(random.NextDouble() * 255);
        for (int y = 0; y < 112; y++)
            for (int x = 0; x < 112; x++)
                for (int c = 0; c < 3; c++)
                    input[2 * 112 * 112 * 3 + (y * 112 + x) * 3 + c] = (x + y + 40 * c) % 256;

        var expected = TfjsReference.RunFaceApiAgeGender(modelDir, input, shape);

        using var session = new InferenceSession(RepoPaths.Model(entry.Onnx));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, [3, 112, 112, 3]))]);
        foreach (var reference in expected)
        {
            var got = results.Single(r => r.Name == reference.Name).AsTensor<float>();
            Assert.Equal(reference.Shape, got.Dimensions.ToArray());
            var values = got.ToArray();
            for (int k = 0; k < values.Length; k++)
                Assert.True(Math.Abs(values[k] - reference.Values[k]) <= 1e-4 * Math.Max(1, Math.Abs(reference.Values[k])),
                    $"{reference.Name}[{k}]: onnx {values[k]}, face-api {reference.Values[k]}");
            Assert.True(reference.Values.Distinct().Count() > 1, $"face-api output {reference.Name} is constant; the check would prove nothing.");
        }
        // The three inputs are told apart (the ages differ), so the check is not of a constant.
        var ages = expected.Single(o => o.Name == "age").Values;
        Assert.True(ages.Distinct().Count() == 3, $"ages {string.Join(", ", ages)}");
    }
}

using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Tests.Verification;

/// <summary>
/// fr-feature as set-up adapts it (a batch of any size, the embedding taken before the file's reshape to [1, −1]) against
/// the file npm ships, one face per run.
/// </summary>
public class FrFeatureAdaptationTests
{
    private static string NpmFile => Path.Combine(RepoPaths.Models, "cache", "src", "faceplugin-face-recognition-js-0.0.1", "model", "fr_feature.onnx");

    [Fact]
    public void A_batch_through_the_adapted_file_gives_each_face_the_embedding_the_npm_file_gives_it_alone()
    {
        using var original = new InferenceSession(NpmFile);
        using var adapted = new InferenceSession(RepoPaths.Model("fr-feature.onnx"));
        const int faces = 3, size = 3 * 112 * 112;
        var random = new Random(5);
        var batch = new DenseTensor<float>([faces, 3, 112, 112]);
        for (int i = 0; i < batch.Length; i++) batch.Buffer.Span[i] = (float)(random.NextDouble() * 2 - 1);
        using var together = adapted.Run([NamedOnnxValue.CreateFromTensor("input", batch)]);
        var output = together.First(r => r.Name == "embedding").AsTensor<float>();
        Assert.Equal([faces, 512, 1, 1], output.Dimensions.ToArray());
        var all = output.ToArray();
        for (int f = 0; f < faces; f++)
        {
            var one = new DenseTensor<float>(batch.Buffer.Slice(f * size, size).ToArray(), [1, 3, 112, 112]);
            using var alone = original.Run([NamedOnnxValue.CreateFromTensor("input", one)]);
            var expected = alone[0].AsTensor<float>().ToArray();
            Assert.Equal(512, expected.Length);
            Assert.True(expected.Select((v, i) => Math.Abs(v - all[f * 512 + i])).Max() < 1e-4, $"face {f}");
        }
    }
}

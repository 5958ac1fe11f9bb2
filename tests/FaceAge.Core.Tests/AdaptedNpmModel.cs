using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Core.Tests;

/// <summary>
/// The proof every ONNX file set-up adapts to batches owes: a batch of random inputs through the adapted file gives each
/// item what the file npm ships gives it alone.
/// </summary>
internal static class AdaptedNpmModel
{
    public static string NpmFile(string name)
        => Path.Combine(RepoPaths.Models, "cache", "src", "faceplugin-face-recognition-js-0.0.1", "model", name);

    /// <summary>Runs <paramref name="batch"/> items of <paramref name="itemShape"/> (values from <paramref name="value"/>) both ways and compares.</summary>
    /// <returns>The adapted file's output for the whole batch, for checks of its own.</returns>
    public static Tensor<float> AssertBatchMatchesOneAtATime(string npmFile, string adaptedFile, int[] itemShape, string adaptedOutput, int batch,
        Func<Random, float> value, double tolerance, int seed)
    {
        using var original = new InferenceSession(npmFile);
        using var adapted = new InferenceSession(adaptedFile);
        int size = itemShape.Aggregate(1, (a, b) => a * b);
        var random = new Random(seed);
        var input = new DenseTensor<float>([batch, .. itemShape]);
        for (int i = 0; i < input.Length; i++) input.Buffer.Span[i] = value(random);
        using var together = adapted.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var output = together.First(r => r.Name == adaptedOutput).AsTensor<float>().Clone();
        var all = output.ToArray();
        int per = all.Length / batch;
        for (int f = 0; f < batch; f++)
        {
            var one = new DenseTensor<float>(input.Buffer.Slice(f * size, size).ToArray(), [1, .. itemShape]);
            using var alone = original.Run([NamedOnnxValue.CreateFromTensor("input", one)]);
            var expected = alone[0].AsTensor<float>().ToArray();
            Assert.Equal(per, expected.Length);
            Assert.True(expected.Select((v, i) => Math.Abs(v - all[f * per + i])).Max() < tolerance, $"item {f} of the batch");
        }
        return output;
    }
}

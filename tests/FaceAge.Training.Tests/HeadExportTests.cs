using FaceAge.Core.Estimation;

namespace FaceAge.Training.Tests;

public class HeadExportTests
{
    private static HeadNetwork RandomHead(int hidden, int seed)
    {
        var random = new Random(seed);
        int d = BackboneFeatures.Length;
        var mean = Enumerable.Range(0, d).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var scale = Enumerable.Range(0, d).Select(_ => 0.5f + random.NextSingle()).ToArray();
        var net = new HeadNetwork(d, hidden, mean, scale);
        foreach (var p in net.Parameters)
            for (int i = 0; i < p.Length; i++) p[i] = (random.NextSingle() - 0.5f) * 0.1f;
        return net;
    }

    private static float[][] RandomFeatures(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, BackboneFeatures.Length).Select(_ => random.NextSingle() * 2 - 1).ToArray()).ToArray();
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public void The_exported_onnx_head_gives_the_in_memory_head_outputs_within_1e_5(int hidden)
    {
        var net = RandomHead(hidden, seed: 7);
        var file = Path.Combine(Path.GetTempPath(), $"faceage-head-{Guid.NewGuid():N}.onnx");
        try
        {
            HeadExport.Write(net, file);
            using var head = new TrainedHead(new FaceAge.Core.Inference.OnnxSessionFactory(new FaceAge.Core.Inference.InferenceOptions()).Create(file), file);
            var rows = RandomFeatures(5, seed: 3);
            var (age, male) = head.Run(rows.SelectMany(r => r).ToArray(), rows.Length);

            Assert.Equal(5 * HeadNetwork.AgeBins, age.Length);
            Assert.Equal(5, male.Length);
            for (int r = 0; r < rows.Length; r++)
            {
                var (expectedAge, expectedMale) = net.Predict(rows[r]);
                Assert.InRange(Math.Abs(male[r] - expectedMale), 0, 1e-5);
                for (int k = 0; k < HeadNetwork.AgeBins; k++)
                    Assert.InRange(Math.Abs(age[r * HeadNetwork.AgeBins + k] - expectedAge[k]), 0, 1e-5);
                Assert.InRange(expectedAge.Sum(), 0.9999, 1.0001);
            }
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_head_trained_on_other_features_is_refused_naming_the_file_and_both_layouts()
    {
        var file = Path.Combine(Path.GetTempPath(), $"faceage-head-{Guid.NewGuid():N}.onnx");
        try
        {
            HeadExport.Write(RandomHead(4, seed: 1), file, new Dictionary<string, string> { [TrainedHead.LayoutKey] = "other-backbone:descriptor512" });
            var error = Assert.Throws<InvalidDataException>(()
                => new TrainedHead(new FaceAge.Core.Inference.OnnxSessionFactory(new FaceAge.Core.Inference.InferenceOptions()).Create(file), file));
            Assert.Contains(file, error.Message);
            Assert.Contains("other-backbone:descriptor512", error.Message);
            Assert.Contains(FaceModelRegistry.FaceResDeep.Layout, error.Message);
        }
        finally { File.Delete(file); }
    }
}

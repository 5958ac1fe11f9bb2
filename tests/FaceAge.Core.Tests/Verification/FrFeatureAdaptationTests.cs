using FaceAge.Testing;

namespace FaceAge.Core.Tests.Verification;

/// <summary>
/// fr-feature as set-up adapts it (a batch of any size, the embedding taken before the file's reshape to [1, −1]) against
/// the file npm ships, one face per run.
/// </summary>
public class FrFeatureAdaptationTests
{
    [Fact]
    public void A_batch_through_the_adapted_file_gives_each_face_the_embedding_the_npm_file_gives_it_alone()
    {
        var output = AdaptedNpmModel.AssertBatchMatchesOneAtATime(AdaptedNpmModel.NpmFile("fr_feature.onnx"), RepoPaths.Model("fr-feature.onnx"),
            [3, 112, 112], "embedding", batch: 3, r => (float)(r.NextDouble() * 2 - 1), tolerance: 1e-4, seed: 5);
        Assert.Equal([3, 512, 1, 1], output.Dimensions.ToArray());
    }
}

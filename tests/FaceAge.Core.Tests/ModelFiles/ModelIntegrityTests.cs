using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.ModelFiles;

public class ModelIntegrityTests
{
    private static string CopyModel(string name, bool withStamp = true)
    {
        var dir = Directory.CreateTempSubdirectory("faceage-models").FullName;
        var path = Path.Combine(dir, name);
        File.Copy(RepoPaths.Model(name), path);
        if (withStamp) File.Copy(RepoPaths.Model(name) + ".sha256", path + ".sha256");
        return path;
    }

    [Fact]
    public void Set_up_records_the_hash_of_each_built_model_and_an_intact_copy_loads()
    {
        var path = CopyModel("faceres-deep-int8.onnx");
        Assert.Matches("^[0-9a-f]{64}$", ModelIntegrity.ExpectedSha256(path));
        using var session = new OnnxSessionFactory(new InferenceOptions()).Create(path);
        Assert.Single(session.InputMetadata);
    }

    [Fact]
    public void A_changed_model_is_refused_naming_the_file_and_the_expected_hash()
    {
        var path = CopyModel("faceres-deep-int8.onnx");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF; // one flipped byte somewhere in the weights
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => new OnnxSessionFactory(new InferenceOptions()).Create(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"expected {ModelIntegrity.ExpectedSha256(path)}", e.Message);
        Assert.Contains("models setup", e.Message);
    }

    [Fact]
    public void A_corrupt_model_without_a_recorded_hash_is_refused_naming_the_file()
    {
        var path = CopyModel("ultraface-rfb-320.onnx", withStamp: false);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..5000]); // truncated
        var e = Assert.Throws<InvalidDataException>(() => new OnnxSessionFactory(new InferenceOptions()).Create(path));
        Assert.StartsWith($"Cannot load ONNX model {path}", e.Message);
    }

    [Fact]
    public void A_trained_head_whose_bytes_differ_from_its_model_card_is_refused_naming_file_and_expected_hash()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-card").FullName;
        var head = Path.Combine(dir, "h.onnx");
        File.WriteAllBytes(head, [1, 2, 3]);
        var expected = new string('a', 64);
        File.WriteAllText(Path.Combine(dir, "h.card.json"), $$"""{"Head":"h.onnx","HeadSha256":"{{expected}}"}""");
        Assert.Equal(expected, ModelIntegrity.ExpectedSha256(head));
        var e = Assert.Throws<InvalidDataException>(() => ModelIntegrity.Verify(head));
        Assert.Contains(head, e.Message);
        Assert.Contains($"expected {expected}", e.Message);
        Assert.Contains("faceage train", e.Message);

        File.WriteAllText(Path.Combine(dir, "h.card.json"), $$"""{"HeadSha256":"{{ModelIntegrity.Sha256Of(head)}}"}""");
        ModelIntegrity.Verify(head); // matching hash: accepted
    }
}

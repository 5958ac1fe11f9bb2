using FaceAge.Core.Inference;
using FaceAge.Core.Models;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.Models;

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
}

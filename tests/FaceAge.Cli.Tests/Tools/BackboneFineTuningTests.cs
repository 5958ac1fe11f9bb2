using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Cli.Tests.Tools;

/// <summary>
/// tools/training/train-network.sh (Debian's python3-torch) end to end on a small sample of every data set: the crops
/// `faceage eval` cuts, faceres-deep's graph trained whole with the epoch chosen on fairface-val and held-out subjects, a
/// run stopped after one epoch that goes on from its checkpoint to the very bytes of an uninterrupted run, and an ONNX
/// export that names its network, loads in FaceAge's runtime and computes there what it computed in PyTorch.
/// </summary>
public class BackboneFineTuningTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "tools", "training", "train-network.sh");

    private static (int ExitCode, string Output) Train(string outDir, params string[] extra)
    {
        var psi = new ProcessStartInfo("bash", [Script, outDir, "96", "2", "7", "--batch", "8", "--threads", "2", .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        psi.Environment["LIMIT"] = "16";
        psi.Environment["FACEAGE_SHARED"] = RepoPaths.Shared;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "train-network.sh did not finish in 10 minutes");
        return (process.ExitCode, stdout + stderr.Result);
    }

    [SharedDataFact]
    public void A_short_run_resumes_to_the_same_network_which_the_runtime_loads_and_which_computes_what_torch_computed()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-train-network").FullName;
        try
        {
            string whole = Path.Combine(dir, "whole"), parts = Path.Combine(dir, "parts");
            var (code, output) = Train(whole, "--check", Path.Combine(dir, "check"));
            Assert.True(code == 0, $"train-network.sh failed: {output}");
            Assert.Contains("epoch 0 (stock)", output);
            Assert.Contains("epoch 2:", output);

            // The same run in two sittings: stopped after epoch 1, then the same command goes on from the checkpoint.
            Directory.CreateDirectory(parts);
            File.Copy(Path.Combine(whole, "crops.csv"), Path.Combine(parts, "crops.csv"));
            var first = Train(parts, "--stop-after", "1");
            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains("stopped after epoch 1 of 2", first.Output);
            var second = Train(parts);
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("resumed from", second.Output);
            var model = Path.Combine(whole, "network.onnx");
            Assert.Equal(Sha256(model), Sha256(Path.Combine(parts, "network.onnx")));

            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, "network.json")));
            var epochs = summary.RootElement.GetProperty("history").EnumerateArray().ToList();
            Assert.Equal(3, epochs.Count);
            // Scored every epoch on the validation set and the held-out subjects, never trained on them.
            Assert.All(epochs, e => Assert.True(e.GetProperty("held_out").TryGetProperty("fairface-val", out _)));

            // The exported graph in ONNX Runtime, on the inputs torch saw: the same age distributions and P(male).
            var check = Path.Combine(dir, "check");
            using var meta = JsonDocument.Parse(File.ReadAllText(check + ".json"));
            int faces = meta.RootElement.GetProperty("faces").GetInt32(), size = meta.RootElement.GetProperty("size").GetInt32();
            Assert.Equal(96, size);
            using var session = new InferenceSession(model);
            Assert.Equal("faceage-net", session.ModelMetadata.CustomMetadataMap[FaceModelRegistry.NetworkKey]);
            var input = new DenseTensor<float>(Floats(check + ".input.f32"), [faces, size, size, 3]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
            var network = FaceModelRegistry.FaceAgeNet;
            AssertClose(Floats(check + ".age.f32"), results.Single(r => r.Name == network.Outputs[1].Name).AsTensor<float>().ToArray(), "age bin");
            AssertClose(Floats(check + ".male.f32"), results.Single(r => r.Name == network.Outputs[2].Name).AsTensor<float>().ToArray(), "P(male)");
            Assert.NotEqual(Sha256(RepoPaths.Model("faceres-deep.onnx")), Sha256(model));

            // FaceAge's estimator runs it as its network, on the analyzer's 224-pixel crops resized to the file's 96.
            var tuned = new OnnxSessionFactory(new InferenceOptions()).Create(model);
            using var estimator = new AgeGenderEstimator(FaceModelRegistry.NetworkOf(tuned, model), tuned);
            Assert.Equal(("faceage-net", 96), (estimator.Network.Name, estimator.ModelSize));
            using var crop = new OpenCvSharp.Mat(FaceCropper.Side, FaceCropper.Side, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(90, 120, 160));
            Assert.InRange(estimator.Estimate([crop]).Single().Age.Mean, 1, 100);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static void AssertClose(float[] torch, float[] onnx, string what)
    {
        Assert.Equal(torch.Length, onnx.Length);
        for (int i = 0; i < torch.Length; i++) Assert.True(Math.Abs(torch[i] - onnx[i]) < 1e-4, $"{what} {i}: onnx {onnx[i]}, torch {torch[i]}");
    }

    private static string Sha256(string path) => Core.ModelFiles.ModelIntegrity.Sha256Of(path);

    private static float[] Floats(string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(file)).ToArray();
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Cli.Tests.Tools;

/// <summary>
/// tools/training/finetune.py (Debian's python3-torch) on a small subset: it fine-tunes faceres-deep from the crop list
/// `faceage eval --predictions` writes, and the ONNX it exports loads in FaceAge's runtime and computes there what it
/// computed in PyTorch.
/// </summary>
public class BackboneFineTuningTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "tools", "training", "finetune.py");

    [SharedDataFact]
    public void A_short_fine_tuning_exports_a_model_the_runtime_loads_and_that_computes_what_torch_computed()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-finetune").FullName;
        try
        {
            var data = Path.Combine(RepoPaths.Shared, "datasets");
            var crops = Path.Combine(dir, "crops.csv");
            var eval = CliRunner.Run("eval", "--labels", Path.Combine(data, "utkface-dev", "labels.csv"), Path.Combine(data, "fairface-dev", "labels.csv"),
                Path.Combine(data, "fgnet-dev", "labels.csv"), "--mode", "detect", "--tiles", "1", "--margin", "0.1", "--limit", "24",
                "--predictions", crops, "--json", Path.Combine(dir, "eval.json"));
            Assert.True(eval.ExitCode == 0, eval.Stderr);

            var model = Path.Combine(dir, "tuned.onnx");
            var check = Path.Combine(dir, "check");
            var psi = new ProcessStartInfo("/usr/bin/python3", [Script, "--crops", crops, "--onnx", RepoPaths.Model("faceres-deep.onnx"), "--out", model,
                "--size", "128", "--epochs", "1", "--batch", "8", "--threads", "2", "--check", check])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using (var process = Process.Start(psi)!)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEnd();
                Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "finetune.py did not finish in 10 minutes");
                Assert.True(process.ExitCode == 0, $"finetune.py failed: {stdout}\n{stderr.Result}");
                Assert.Contains("epoch 0 (stock)", stdout);
                Assert.Contains("epoch 1:", stdout);
            }
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tuned.json")));
            Assert.Equal(2, summary.RootElement.GetProperty("history").GetArrayLength());

            // The exported graph in ONNX Runtime, on the inputs torch saw: the same age distributions and P(male).
            using var meta = JsonDocument.Parse(File.ReadAllText(check + ".json"));
            int faces = meta.RootElement.GetProperty("faces").GetInt32(), size = meta.RootElement.GetProperty("size").GetInt32();
            Assert.Equal(128, size);
            var input = Floats(check + ".input.f32");
            using var session = new InferenceSession(model);
            Assert.Equal([-1, 128, 128, 3], session.InputMetadata.Values.Single().Dimensions);
            using var results = session.Run(
                [NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(input, [faces, size, size, 3]))]);
            var age = results.Single(r => r.Name == FaceResEstimator.AgeOutput).AsTensor<float>().ToArray();
            var male = results.Single(r => r.Name == FaceResEstimator.GenderOutput).AsTensor<float>().ToArray();
            var torchAge = Floats(check + ".age.f32");
            var torchMale = Floats(check + ".male.f32");
            Assert.Equal(torchAge.Length, age.Length);
            for (int i = 0; i < age.Length; i++) Assert.True(Math.Abs(age[i] - torchAge[i]) < 1e-4, $"age bin {i}: onnx {age[i]}, torch {torchAge[i]}");
            for (int i = 0; i < male.Length; i++) Assert.True(Math.Abs(male[i] - torchMale[i]) < 1e-4, $"P(male) {i}: onnx {male[i]}, torch {torchMale[i]}");
            // Fine-tuning changed the weights: the export is not the stock model.
            Assert.NotEqual(Core.ModelFiles.ModelIntegrity.Sha256Of(RepoPaths.Model("faceres-deep.onnx")), Core.ModelFiles.ModelIntegrity.Sha256Of(model));

            // And FaceAge's estimator runs it on its own 224-pixel crops (resized to the model's 128).
            using var estimator = new FaceResEstimator(new OnnxSessionFactory(new InferenceOptions()).Create(model));
            Assert.Equal(128, estimator.ModelSize);
            using var crop = new OpenCvSharp.Mat(
                FaceResEstimator.InputSize, FaceResEstimator.InputSize, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(90, 120, 160));
            var estimate = estimator.Estimate([crop]).Single();
            Assert.InRange(estimate.Age.Mean, 1, 100);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static float[] Floats(string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(file)).ToArray();
}

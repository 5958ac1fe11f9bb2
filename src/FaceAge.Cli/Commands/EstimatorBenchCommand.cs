using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench estimator`: age/gender inference cost per face for each model file, batch size and
/// intra-op thread count, so the worker's batch and thread settings rest on measurements. With --head, the whole
/// estimator a head needs (backbone, the other face models it reads, the head) is timed per face.
/// </summary>
public static class EstimatorBenchCommand
{
    public static Command Create()
    {
        var modelFiles = new Option<string[]>("--model") { Description = "faceres-deep ONNX files to compare (default: the set-up model).", AllowMultipleArgumentsPerToken = true };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes.", DefaultValueFactory = _ => [1, 4, 8], AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int[]>("--threads") { Description = "ONNX Runtime intra-op threads (0 = its default).", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var faces = new Option<int>("--faces") { Description = "Faces run per configuration.", DefaultValueFactory = _ => 64 };
        var models = new Option<string?>("--models") { Description = "Models folder." };
        var heads = new Option<string[]>("--head") { Description = "Trained heads to time with each model (under the models folder or a path; 'none' = the model's own outputs).", DefaultValueFactory = _ => ["none"], AllowMultipleArgumentsPerToken = true };
        var json = new Option<string>("--json") { Description = "JSON results file.", DefaultValueFactory = _ => "estimator-bench.json" };

        var command = new Command("estimator", "Measure age/gender inference time per face by model, batch size and thread count.");
        foreach (var o in new Option[] { modelFiles, batches, threads, faces, models, heads, json }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(models));
            var files = parse.GetValue(modelFiles) is { Length: > 0 } given
                ? given
                : [ModelDirectory.Require(modelsDir, "faceres-deep.onnx")];
            var random = new Random(1);
            // Content does not change the cost of a dense network; seeded noise keeps the run self-contained.
            var crops = Enumerable.Range(0, 8).Select(_ =>
            {
                var m = new Mat(FaceResEstimator.InputSize, FaceResEstimator.InputSize, MatType.CV_8UC3);
                Cv2.Randu(m, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
                return m;
            }).ToList();
            int count = parse.GetValue(faces);
            var rows = new List<object>();
            var table = new StringBuilder("| model | head | threads | batch | ms/face | faces/s |\n|---|---|---|---|---|---|\n");
            foreach (var file in files)
                foreach (var headFile in parse.GetValue(heads)!)
                foreach (var t in parse.GetValue(threads)!)
                {
                    var head = headFile.Equals("none", StringComparison.OrdinalIgnoreCase) ? "" : headFile;
                    var options = new AnalyzerOptions { AgeGenderModel = Path.GetFullPath(file), AgeGenderHead = head, FaceCheck = "", FlipAugmentation = false };
                    using var estimator = FaceAnalyzer.CreateEstimator(options, modelsDir, new OnnxSessionFactory(new InferenceOptions { IntraOpThreads = t }));
                    var headName = head.Length == 0 ? "none" : Path.GetFileName(head);
                    foreach (var b in parse.GetValue(batches)!)
                    {
                        var batch = Enumerable.Range(0, b).Select(i => crops[i % crops.Count]).ToList();
                        estimator.Estimate(batch); // warm-up: first run allocates and plans
                        int runs = Math.Max(1, count / b);
                        var clock = Stopwatch.StartNew();
                        for (int r = 0; r < runs; r++) estimator.Estimate(batch);
                        double ms = clock.Elapsed.TotalMilliseconds / (runs * b);
                        table.AppendLine($"| {Path.GetFileName(file)} | {headName} | {t} | {b} | {ms:0.0} | {1000 / ms:0.0} |");
                        rows.Add(new { model = Path.GetFileName(file), head = headName, threads = t, batch = b, msPerFace = ms, facesPerSecond = 1000 / ms });
                        Console.Error.WriteLine($"{Path.GetFileName(file)} + {headName} threads {t} batch {b}: {ms:0.0} ms/face");
                    }
                }
            foreach (var c in crops) c.Dispose();
            Console.WriteLine(table.ToString());
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(new { machine = MachineDescription.Current(), results = rows }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return command;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
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
        var options = new Options();
        var command = new Command("estimator", "Measure age/gender inference time per face by model, batch size and thread count.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <param name="Heads">Heads as given; 'none' = the model's own outputs.</param>
    /// <param name="Faces">Faces run per configuration.</param>
    private sealed record EstimatorBenchArguments(
        string ModelsDirectory, IReadOnlyList<string> ModelFiles, int[] Batches, int[] Threads, int Faces, string[] Heads, string JsonFile);

    /// <summary>One timed configuration: a row of the table and of the JSON results.</summary>
    private sealed record Timing(string ModelFile, string HeadName, int Threads);

    private sealed class Options
    {
        private readonly Option<string[]> _modelFiles = new("--model")
        {
            Description = "faceres-deep ONNX files to compare (default: the set-up model).",
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<int[]> _batches = new("--batch")
        {
            Description = "Batch sizes.",
            DefaultValueFactory = _ => [1, 4, 8],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<int[]> _threads = new("--threads")
        {
            Description = "ONNX Runtime intra-op threads (0 = its default).",
            DefaultValueFactory = _ => [1, 2],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<int> _faces = new("--faces") { Description = "Faces run per configuration.", DefaultValueFactory = _ => 64 };
        private readonly Option<string?> _models = CommonOptions.ModelsFolder();

        private readonly Option<string[]> _heads = new("--head")
        {
            Description = "Trained heads to time with each model (under the models folder or a path; 'none' = the model's own outputs).",
            DefaultValueFactory = _ => ["none"],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<string> _json = CommonOptions.JsonResults("estimator-bench.json");

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _modelFiles, _batches, _threads, _faces, _models, _heads, _json }) command.Options.Add(o);
        }

        public EstimatorBenchArguments Read(ParseResult parse)
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(_models));
            var files = parse.GetValue(_modelFiles) is { Length: > 0 } given ? given : [ModelDirectory.Require(modelsDir, "faceres-deep.onnx")];
            return new EstimatorBenchArguments(modelsDir, files, parse.GetValue(_batches)!, parse.GetValue(_threads)!, parse.GetValue(_faces),
                parse.GetValue(_heads)!, parse.GetValue(_json)!);
        }
    }

    private static int Run(EstimatorBenchArguments arguments)
    {
        var crops = NoiseCrops();
        var rows = new List<object>();
        var table = new StringBuilder("| model | head | threads | batch | ms/face | faces/s |\n|---|---|---|---|---|---|\n");
        foreach (var file in arguments.ModelFiles)
            foreach (var headFile in arguments.Heads)
                foreach (var threads in arguments.Threads)
                {
                    var head = AnalysisSettings.HeadFile(headFile) ?? "";
                    var options = new AnalyzerOptions
                    {
                        AgeGenderModel = Path.GetFullPath(file), AgeGenderHead = head, FaceCheck = "", FlipAugmentation = false,
                    };
                    var sessions = new OnnxSessionFactory(new InferenceOptions { IntraOpThreads = threads });
                    using var estimator = FaceAnalyzer.CreateEstimator(options, arguments.ModelsDirectory, sessions);
                    var timing = new Timing(Path.GetFileName(file), head.Length == 0 ? "none" : Path.GetFileName(head), threads);
                    foreach (var batch in arguments.Batches) rows.Add(Measure(estimator, timing, batch, crops, arguments.Faces, table));
                }
        foreach (var c in crops) c.Dispose();
        Console.WriteLine(table.ToString());
        JsonResultsFile.Write(arguments.JsonFile, new { machine = MachineDescription.Current(), results = rows });
        return 0;
    }

    /// <summary>
    /// Eight crops of noise: content does not change the cost of a dense network; seeded noise keeps the run self-contained.
    /// </summary>
    private static List<Mat> NoiseCrops()
    {
        return Enumerable.Range(0, 8).Select(_ =>
        {
            var m = new Mat(FaceCropper.Side, FaceCropper.Side, MatType.CV_8UC3);
            Cv2.Randu(m, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
            return m;
        }).ToList();
    }

    /// <summary>Time per face at one batch size, after a warm-up run (the first run allocates and plans).</summary>
    private static object Measure(AgeGenderEstimator estimator, Timing timing, int b, List<Mat> crops, int count, StringBuilder table)
    {
        var batch = Enumerable.Range(0, b).Select(i => crops[i % crops.Count]).ToList();
        estimator.Estimate(batch);
        int runs = Math.Max(1, count / b);
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < runs; r++) estimator.Estimate(batch);
        double ms = clock.Elapsed.TotalMilliseconds / (runs * b);
        var (model, head, threads) = (timing.ModelFile, timing.HeadName, timing.Threads);
        table.AppendLine(CultureInfo.InvariantCulture, $"| {model} | {head} | {threads} | {b} | {ms:0.0} | {1000 / ms:0.0} |");
        Console.Error.WriteLine($"{model} + {head} threads {threads} batch {b}: {ms:0.0} ms/face");
        return new { model, head, threads, batch = b, msPerFace = ms, facesPerSecond = 1000 / ms };
    }
}

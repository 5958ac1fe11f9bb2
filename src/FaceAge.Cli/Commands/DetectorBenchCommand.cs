using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Evaluation;
using FaceAge.Training.Precision;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench detectors`: recall by face size. Face crops from a labelled set are pasted at known
/// sizes onto frames of a real video; a pasted face counts as found when a detection's centre lies in
/// its face box and their IoU is at least 0.2 (detectors draw boxes of different extents).
/// </summary>
public static class DetectorBenchCommand
{
    public static Command Create()
    {
        var options = new Options();
        var command = new Command("detectors", "Measure face detector recall by face size on faces pasted onto real video frames.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    private sealed record Config(string Name, DetectorOptions Options);

    /// <param name="Configs">The detector settings measured: the built-in ones, then one per --extra.</param>
    private sealed record DetectorBenchArguments(
        string ModelsDirectory, IReadOnlyList<Config> Configs, string Faces, string Background, int[] Sizes, int PerSize, string JsonFile, int Seed);

    private sealed class Options
    {
        private readonly Option<string> _faces = new("--faces")
        {
            Description = "Label CSV of aligned face chips to paste (e.g. utkface-dev/labels.csv).",
            Required = true,
        };

        private readonly Option<string> _background = new("--background") { Description = "Video whose frames are the backgrounds.", Required = true };

        private readonly Option<int[]> _sizes = new("--sizes")
        {
            Description = "Face sizes in pixels.",
            DefaultValueFactory = _ => [.. PastedFaces.Sizes],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<int> _perSize = new("--per-size") { Description = "Faces pasted per size.", DefaultValueFactory = _ => 120 };

        private readonly Option<string[]> _extra = new("--extra")
        {
            Description = "Extra detector files as KIND=PATH (e.g. YuNet=/path/yunet.onnx).",
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<string?> _models = CommonOptions.ModelsFolder();
        private readonly Option<string> _json = CommonOptions.JsonResults("detector-bench.json");
        private readonly Option<int> _seed = new("--seed") { DefaultValueFactory = _ => 7, Description = "Random seed for faces and positions." };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _faces, _background, _sizes, _perSize, _extra, _models, _json, _seed }) command.Options.Add(o);
        }

        public DetectorBenchArguments Read(ParseResult parse)
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(_models));
            var configs = new List<Config>
            {
                new("UltraFace-320", new DetectorOptions { Kind = UltraFaceDetector.Definition.Name, Tiles = 1 }),
                new("UltraFace-320 tiles 2", new DetectorOptions { Kind = UltraFaceDetector.Definition.Name, Tiles = 2 }),
                new("BlazeFace-back-256", new DetectorOptions { Kind = BlazeFaceDetector.BackDefinition.Name, ScoreThreshold = 0.6f, Tiles = 1 }),
                new("BlazeFace-front-128", new DetectorOptions { Kind = BlazeFaceDetector.FrontDefinition.Name, ScoreThreshold = 0.6f, Tiles = 1 }),
            };
            configs.AddRange((parse.GetValue(_extra) ?? []).Select(ExtraConfig));
            return new DetectorBenchArguments(modelsDir, configs, parse.GetValue(_faces)!, parse.GetValue(_background)!, parse.GetValue(_sizes)!,
                parse.GetValue(_perSize), parse.GetValue(_json)!, parse.GetValue(_seed));
        }

        private static Config ExtraConfig(string extra)
        {
            var parts = extra.Split('=', 2);
            if (parts.Length != 2 || DetectorRegistry.Find(parts[0]) is not { } kind)
                throw new ArgumentException($"--extra '{extra}' must be KIND=PATH, KIND one of {string.Join(", ", DetectorRegistry.Names)}.");
            return new($"{kind.Name} {Path.GetFileNameWithoutExtension(parts[1])}", new DetectorOptions { Kind = kind.Name, ModelPath = parts[1], Tiles = 1 });
        }
    }

    private static int Run(DetectorBenchArguments arguments)
    {
        var (labelled, _) = LabelCsvReader.Read(arguments.Faces);
        var random = new Random(arguments.Seed);
        var backgrounds = PastedFaces.BackgroundsFrom(arguments.Background);
        if (backgrounds.Count == 0) throw new InvalidDataException($"{arguments.Background}: no frames.");
        var scenes = PastedFaceScenes.Build(labelled, backgrounds, arguments.Sizes, arguments.PerSize, random);
        // Detected as the worker sees camera frames: in I420, of which the detector converts what it needs.
        var frames = scenes.Select(scene => I420Image.FromBgr(scene.Image)).ToList();

        var sessions = new OnnxSessionFactory(new InferenceOptions());
        var rows = new List<object>();
        var sizes = arguments.Sizes;
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"| detector | {string.Join(" | ", sizes.Select(s => $"{s} px"))} | all | ms/frame |");
        table.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(sizes.Select(_ => "---|"))}---|---|");
        foreach (var config in arguments.Configs)
        {
            using var detector = DetectorRegistry.Create(config.Options, arguments.ModelsDirectory, sessions);
            rows.Add(Measure(config.Name, detector, scenes, frames, sizes, table));
        }
        foreach (var s in scenes) s.Image.Dispose();
        foreach (var f in frames) f.Dispose();
        foreach (var b in backgrounds) b.Dispose();
        Console.WriteLine(table.ToString());
        JsonResultsFile.Write(arguments.JsonFile, new { frames = scenes.Count, faceFractionOfChip = PastedFaceScenes.FaceFractionOfChip, results = rows });
        return 0;
    }

    /// <summary>One detector setting: recall per face size and over all, and its time per frame (a table row and a JSON row).</summary>
    private static object Measure(string name, IFaceDetector detector, List<PastedScene> scenes, List<I420Image> frames, int[] sizes, StringBuilder table)
    {
        var found = sizes.ToDictionary(s => s, _ => 0);
        var total = sizes.ToDictionary(s => s, _ => 0);
        var clock = Stopwatch.StartNew();
        foreach (var (scene, frame) in scenes.Zip(frames))
        {
            var detections = detector.Detect(frame);
            foreach (var truth in scene.Faces)
            {
                total[truth.Size]++;
                if (detections.Any(d => PastedFaceScenes.Finds(d, truth.Box)))
                    found[truth.Size]++;
            }
        }
        double ms = clock.Elapsed.TotalMilliseconds / scenes.Count;
        var recall = sizes.ToDictionary(s => s, s => (double)found[s] / Math.Max(1, total[s]));
        double all = (double)found.Values.Sum() / Math.Max(1, total.Values.Sum());
        table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", sizes.Select(s => $"{recall[s]:P0}"))} | {all:P1} | {ms:0} |");
        Console.Error.WriteLine($"{name}: recall {all:P1}, {ms:0} ms/frame");
        return new { detector = name, recall, all, msPerFrame = ms };
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;
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

    private sealed record Config(string Name, DetectorOptions Options);

    public static Command Create()
    {
        var faces = new Option<string>("--faces") { Description = "Label CSV of aligned face chips to paste (e.g. utkface-dev/labels.csv).", Required = true };
        var background = new Option<string>("--background") { Description = "Video whose frames are the backgrounds.", Required = true };
        var sizes = new Option<int[]>("--sizes") { Description = "Face sizes in pixels.", DefaultValueFactory = _ => [24, 32, 48, 64, 96, 128, 160], AllowMultipleArgumentsPerToken = true };
        var perSize = new Option<int>("--per-size") { Description = "Faces pasted per size.", DefaultValueFactory = _ => 120 };
        var extra = new Option<string[]>("--extra") { Description = "Extra detector files as KIND=PATH (e.g. YuNet=/path/yunet.onnx).", AllowMultipleArgumentsPerToken = true };
        var models = new Option<string?>("--models") { Description = "Models folder." };
        var json = new Option<string>("--json") { Description = "JSON results file.", DefaultValueFactory = _ => "detector-bench.json" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 7, Description = "Random seed for faces and positions." };

        var detectors = new Command("detectors", "Measure face detector recall by face size on faces pasted onto real video frames.");
        foreach (var o in new Option[] { faces, background, sizes, perSize, extra, models, json, seed }) detectors.Options.Add(o);
        detectors.SetAction(parse => CliErrors.Guard(() =>
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(models));
            var configs = new List<Config>
            {
                new("UltraFace-320", new DetectorOptions { Kind = UltraFaceDetector.Definition.Name, Tiles = 1 }),
                new("UltraFace-320 tiles 2", new DetectorOptions { Kind = UltraFaceDetector.Definition.Name, Tiles = 2 }),
                new("BlazeFace-back-256", new DetectorOptions { Kind = BlazeFaceDetector.BackDefinition.Name, ScoreThreshold = 0.6f, Tiles = 1 }),
                new("BlazeFace-front-128", new DetectorOptions { Kind = BlazeFaceDetector.FrontDefinition.Name, ScoreThreshold = 0.6f, Tiles = 1 }),
            };
            foreach (var e in parse.GetValue(extra) ?? [])
            {
                var parts = e.Split('=', 2);
                if (parts.Length != 2 || DetectorRegistry.Find(parts[0]) is not { } kind)
                    throw new ArgumentException($"--extra '{e}' must be KIND=PATH, KIND one of {string.Join(", ", DetectorRegistry.Names)}.");
                configs.Add(new($"{kind.Name} {Path.GetFileNameWithoutExtension(parts[1])}", new DetectorOptions { Kind = kind.Name, ModelPath = parts[1], Tiles = 1 }));
            }

            var (labelled, _) = LabelCsvReader.Read(parse.GetValue(faces)!);
            var random = new Random(parse.GetValue(seed));
            var backgrounds = new FfmpegFrameSource(new FrameSourceOptions(parse.GetValue(background)!) { MaxFps = 1 }).FramesAsync().ToBlockingEnumerable()
                .Take(30).Select(f => { using (f) return f.Image.Clone(); }).ToList();
            if (backgrounds.Count == 0) throw new InvalidDataException($"{parse.GetValue(background)}: no frames.");
            var scenes = PastedFaceScenes.Build(labelled, backgrounds, parse.GetValue(sizes)!, parse.GetValue(perSize), random);
            // Detected as the worker sees camera frames: in I420, of which the detector converts what it needs.
            var frames = scenes.Select(scene => I420Image.FromBgr(scene.Image)).ToList();

            var sessions = new OnnxSessionFactory(new InferenceOptions());
            var rows = new List<object>();
            var table = new StringBuilder();
            var sizeList = parse.GetValue(sizes)!;
            table.AppendLine($"| detector | {string.Join(" | ", sizeList.Select(s => $"{s} px"))} | all | ms/frame |");
            table.AppendLine($"|---|{string.Concat(sizeList.Select(_ => "---|"))}---|---|");
            foreach (var config in configs)
            {
                using var detector = DetectorRegistry.Create(config.Options, modelsDir, sessions);
                var found = sizeList.ToDictionary(s => s, _ => 0);
                var total = sizeList.ToDictionary(s => s, _ => 0);
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
                var recall = sizeList.ToDictionary(s => s, s => (double)found[s] / Math.Max(1, total[s]));
                double all = (double)found.Values.Sum() / Math.Max(1, total.Values.Sum());
                table.AppendLine($"| {config.Name} | {string.Join(" | ", sizeList.Select(s => $"{recall[s]:P0}"))} | {all:P1} | {ms:0} |");
                rows.Add(new { detector = config.Name, recall, all, msPerFrame = ms });
                Console.Error.WriteLine($"{config.Name}: recall {all:P1}, {ms:0} ms/frame");
            }
            foreach (var s in scenes) s.Image.Dispose();
            foreach (var f in frames) f.Dispose();
            foreach (var b in backgrounds) b.Dispose();
            Console.WriteLine(table.ToString());
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(new { frames = scenes.Count, faceFractionOfChip = PastedFaceScenes.FaceFractionOfChip, results = rows }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));

        var bench = new Command("bench", "Benchmarks.");
        bench.Subcommands.Add(detectors);
        bench.Subcommands.Add(EstimatorBenchCommand.Create());
        bench.Subcommands.Add(PrecisionBenchCommand.Create());
        bench.Subcommands.Add(VerifyBenchCommand.Create());
        bench.Subcommands.Add(FaceFreeVideoCommand.Create());
        bench.Subcommands.Add(FusionBenchCommand.Create());
        return bench;
    }
}

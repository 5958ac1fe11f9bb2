using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;
using FaceAge.Training.Evaluation;
using FaceAge.Training.Precision;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench precision`: false faces per frame on frames without faces (single-person videos with the face
/// painted out, generated textures) and on frames with a face (detections overlapping no face), with the recall of the
/// same setting on pasted faces of 24–160 px, per detector setting, before and after the face check.
/// </summary>
public static class PrecisionBenchCommand
{
    private sealed record Setting(string Name, DetectorOptions Options);

    public static Command Create()
    {
        var videos = new Option<string[]>("--videos") { Description = "Videos that each show exactly one person (their face is painted out for the face-free frames).", Required = true, AllowMultipleArgumentsPerToken = true };
        var faces = new Option<string>("--faces") { Description = "Label CSV of aligned face chips pasted for the recall (e.g. utkface-dev/labels.csv).", Required = true };
        var background = new Option<string>("--background") { Description = "Video whose frames are the recall scenes' backgrounds.", Required = true };
        var fps = new Option<double>("--fps") { Description = "Frames per second taken from each video.", DefaultValueFactory = _ => 3 };
        var textures = new Option<int>("--textures") { Description = "Generated face-free texture frames.", DefaultValueFactory = _ => 300 };
        var perSize = new Option<int>("--per-size") { Description = "Pasted faces per size for the recall.", DefaultValueFactory = _ => 120 };
        var thresholds = new Option<float[]>("--thresholds") { Description = "UltraFace score thresholds to measure.", DefaultValueFactory = _ => [0.6f, 0.7f, 0.8f, 0.9f], AllowMultipleArgumentsPerToken = true };
        var faceCheck = new Option<string?>("--face-check") { Description = "Face check ONNX file to measure on the default detector setting (UltraFace tiles 2, score 0.70)." };
        var checkThresholds = new Option<float[]>("--check-thresholds") { Description = "Face-check thresholds to measure.", DefaultValueFactory = _ => [0.1f, 0.2f, 0.3f, 0.5f, 0.7f, 0.9f], AllowMultipleArgumentsPerToken = true };
        var backbones = new Option<string[]>("--backbones") { Description = "Age/gender models whose features the face check scores.", DefaultValueFactory = _ => ["faceres-deep.onnx", "faceres-deep-int8.onnx"], AllowMultipleArgumentsPerToken = true };
        var holdout = new Option<bool>("--holdout") { Description = "Paste only the held-out half of --faces (the half the face check never trained on)." };
        var models = new Option<string?>("--models") { Description = "Models folder." };
        var json = new Option<string>("--json") { Description = "JSON results file.", DefaultValueFactory = _ => "precision-bench.json" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 7, Description = "Random seed (textures, pasted faces)." };

        var command = new Command("precision", "Measure false faces per frame (face-free and face frames) and recall at the same detector setting, with and without the face check.");
        foreach (var o in new Option[] { videos, faces, background, fps, textures, perSize, thresholds, faceCheck, checkThresholds, backbones, holdout, models, json, seed }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(models));
            var sessions = new OnnxSessionFactory(new InferenceOptions());
            var settings = new List<Setting> { new("UltraFace-320", new DetectorOptions { Tiles = 1 }) };
            var detectorThresholds = parse.GetValue(thresholds)!;
            foreach (var t in detectorThresholds) settings.Add(new($"UltraFace-320 tiles 2, score {t:0.00}", new DetectorOptions { Tiles = 2, ScoreThreshold = t }));
            if (detectorThresholds.Length > 0) settings.Add(new("BlazeFace-back-256, score 0.60", new DetectorOptions { Kind = BlazeFaceDetector.BackDefinition.Name, ScoreThreshold = 0.6f, Tiles = 1 }));

            Console.Error.WriteLine("precision: collecting frames …");
            var frames = new List<PrecisionFrame>();
            using (var reference = DetectorRegistry.Create(new DetectorOptions { Tiles = 2, ScoreThreshold = 0.5f }, modelsDir, sessions))
                foreach (var v in parse.GetValue(videos)!) frames.AddRange(FaceFreeFrames.FromSinglePersonVideo(v, parse.GetValue(fps), reference));
            frames.AddRange(FaceFreeFrames.Textures(parse.GetValue(textures), 1280, 720, parse.GetValue(seed)));
            var (labelled, _) = LabelCsvReader.Read(parse.GetValue(faces)!);
            if (parse.GetValue(holdout)) labelled = labelled.Where(f => HoldoutSplit.IsHoldout(f.Path)).ToList();
            var backgrounds = new FfmpegFrameSource(new FrameSourceOptions(parse.GetValue(background)!) { MaxFps = 1 }).FramesAsync().ToBlockingEnumerable()
                .Take(30).Select(f => { using (f) return f.Image.Clone(); }).ToList();
            int[] sizes = [24, 32, 48, 64, 96, 128, 160];
            var scenes = PastedFaceScenes.Build(labelled, backgrounds, sizes, parse.GetValue(perSize), new Random(parse.GetValue(seed)));
            Console.Error.WriteLine($"precision: {frames.Count(f => f.Kind == "masked")} face-free video frames, {frames.Count(f => f.Kind == "with-face")} frames with a face, {frames.Count(f => f.Kind == "texture")} textures; {scenes.Sum(s => s.Faces.Count)} pasted faces");

            var rows = new List<object>();
            var table = new StringBuilder("| setting | false faces / frame: face-free video | textures | frames with a face | recall 24–48 px | recall 24–160 px | ms/frame |\n|---|---|---|---|---|---|---|\n");
            foreach (var setting in settings)
            {
                using var detector = DetectorRegistry.Create(setting.Options, modelsDir, sessions);
                var clock = Stopwatch.StartNew();
                var falseByKind = frames.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => (double)g.Sum(f => detector.Detect(f.Image).Count(d => FaceFreeFrames.IsFalse(d, f.Faces))) / g.Count());
                var (small, all) = Recall(detector, scenes);
                double ms = clock.Elapsed.TotalMilliseconds / (frames.Count + scenes.Count);
                table.AppendLine($"| {setting.Name} | {falseByKind["masked"]:0.000} | {falseByKind["texture"]:0.000} | {falseByKind["with-face"]:0.000} | {small:P1} | {all:P1} | {ms:0} |");
                rows.Add(new { setting = setting.Name, falseFacesPerFrame = falseByKind, recall24to48 = small, recall24to160 = all });
                Console.Error.WriteLine($"{setting.Name}: face-free {falseByKind["masked"]:0.000}/frame, textures {falseByKind["texture"]:0.000}/frame, recall {all:P1}");
            }
            if (parse.GetValue(faceCheck) is { } checkFile)
                foreach (var backbone in parse.GetValue(backbones)!)
                    rows.Add(MeasureCheck(modelsDir, checkFile, backbone, parse.GetValue(checkThresholds)!, frames, scenes, table));
            foreach (var f in frames) f.Dispose();
            foreach (var s in scenes) s.Dispose();
            foreach (var b in backgrounds) b.Dispose();
            Console.WriteLine(table.ToString());
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(new { machine = MachineDescription.Current(), results = rows }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return command;
    }

    /// <summary>The default detector setting followed by the face check at each threshold: false faces left and faces kept.</summary>
    private static object MeasureCheck(string modelsDir, string checkFile, string backbone, float[] thresholds, List<PrecisionFrame> frames, List<PastedScene> scenes, StringBuilder table)
    {
        var options = new AnalyzerOptions { ModelsDirectory = modelsDir, AgeGenderModel = backbone, FlipAugmentation = false, FaceCheck = Path.GetFullPath(checkFile), Detector = new DetectorOptions { Tiles = 2 } };
        using var analyzer = FaceAnalyzer.Create(options);
        // Every detection once, with its face score.
        var falseScores = frames.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => (Frames: g.Count(), Scores: g.SelectMany(f =>
        {
            var dets = analyzer.Detect(f.Image).Where(d => FaceFreeFrames.IsFalse(d, f.Faces)).ToList();
            return analyzer.Analyze(f.Image, dets).Select(r => r.FaceScore ?? 1);
        }).ToList()));
        var truthScores = new List<(int Size, double Score)>();
        int small = 0, all = 0;
        foreach (var scene in scenes)
        {
            var results = analyzer.Analyze(scene.Image);
            foreach (var truth in scene.Faces)
            {
                all++;
                if (truth.Size <= 48) small++;
                var hit = results.Where(r => PastedFaceScenes.Finds(r.Detection, truth.Box)).MaxBy(r => r.FaceScore ?? 1);
                if (hit is not null) truthScores.Add((truth.Size, hit.FaceScore ?? 1));
            }
        }
        var rows = new List<object>();
        foreach (var t in thresholds.Prepend(0f))
        {
            var left = falseScores.ToDictionary(kv => kv.Key, kv => (double)kv.Value.Scores.Count(s => s >= t) / kv.Value.Frames);
            double keptSmall = (double)truthScores.Count(x => x.Size <= 48 && x.Score >= t) / Math.Max(1, small);
            double keptAll = (double)truthScores.Count(x => x.Score >= t) / Math.Max(1, all);
            string name = t == 0 ? $"UltraFace tiles 2 (0.70), no check [{backbone}]" : $"  + face check ≥ {t:0.00} [{backbone}]";
            table.AppendLine($"| {name} | {left["masked"]:0.000} | {left["texture"]:0.000} | {left["with-face"]:0.000} | {keptSmall:P1} | {keptAll:P1} | |");
            rows.Add(new { setting = name, backbone, threshold = t, falseFacesPerFrame = left, recall24to48 = keptSmall, recall24to160 = keptAll });
        }
        return rows;
    }

    private static (double Small, double All) Recall(IFaceDetector detector, List<PastedScene> scenes)
    {
        int found = 0, total = 0, smallFound = 0, smallTotal = 0;
        foreach (var scene in scenes)
        {
            var detections = detector.Detect(scene.Image);
            foreach (var truth in scene.Faces)
            {
                bool hit = detections.Any(d => PastedFaceScenes.Finds(d, truth.Box));
                total++;
                if (hit) found++;
                if (truth.Size <= 48)
                {
                    smallTotal++;
                    if (hit) smallFound++;
                }
            }
        }
        return ((double)smallFound / Math.Max(1, smallTotal), (double)found / Math.Max(1, total));
    }
}

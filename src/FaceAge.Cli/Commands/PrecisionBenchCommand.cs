using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Evaluation;
using FaceAge.Training.Precision;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench precision`: false faces per frame on frames without faces (single-person videos with the face
/// painted out, generated textures) and on frames with a face (detections overlapping no face), with the recall of the
/// same setting on pasted faces of 24–160 px, per detector setting, before and after the face check.
/// </summary>
public static class PrecisionBenchCommand
{
    public static Command Create()
    {
        var options = new Options();
        var command = new Command("precision",
            "Measure false faces per frame (face-free and face frames) and recall at the same detector setting, with and without the face check.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    private sealed record Setting(string Name, DetectorOptions Options);

    /// <param name="Thresholds">UltraFace score thresholds, each a detector setting (tiles 2).</param>
    /// <param name="FaceCheck">The face check's ONNX file; null = the face check is not measured.</param>
    /// <param name="Holdout">Paste only the held-out half of <paramref name="Faces"/>.</param>
    private sealed record PrecisionBenchArguments(
        string ModelsDirectory, string[] Videos, string Faces, string Background, double Fps, int Textures, int PerSize, float[] Thresholds,
        string? FaceCheck, float[] CheckThresholds, string[] Backbones, bool Holdout, string JsonFile, int Seed);

    private sealed class Options
    {
        private readonly Option<string[]> _videos = new("--videos")
        {
            Description = "Videos that each show exactly one person (their face is painted out for the face-free frames).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<string> _faces = new("--faces")
        {
            Description = "Label CSV of aligned face chips pasted for the recall (e.g. utkface-dev/labels.csv).",
            Required = true,
        };

        private readonly Option<string> _background = new("--background")
        {
            Description = "Video whose frames are the recall scenes' backgrounds.",
            Required = true,
        };

        private readonly Option<double> _fps = CommonOptions.VideoFps(3);
        private readonly Option<int> _textures = new("--textures") { Description = "Generated face-free texture frames.", DefaultValueFactory = _ => 300 };
        private readonly Option<int> _perSize = new("--per-size") { Description = "Pasted faces per size for the recall.", DefaultValueFactory = _ => 120 };

        private readonly Option<float[]> _thresholds = new("--thresholds")
        {
            Description = "UltraFace score thresholds to measure.",
            DefaultValueFactory = _ => [0.6f, 0.7f, 0.8f, 0.9f],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<string?> _faceCheck = new("--face-check")
        {
            Description = "Face check ONNX file to measure on the default detector setting (UltraFace tiles 2, score 0.70).",
        };

        private readonly Option<float[]> _checkThresholds = new("--check-thresholds")
        {
            Description = "Face-check thresholds to measure.",
            DefaultValueFactory = _ => [0.1f, 0.2f, 0.3f, 0.5f, 0.7f, 0.9f],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<string[]> _backbones = new("--backbones")
        {
            Description = "Age/gender models whose features the face check scores.",
            DefaultValueFactory = _ => ["faceres-deep.onnx", "faceres-deep-int8.onnx"],
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<bool> _holdout = new("--holdout")
        {
            Description = "Paste only the held-out half of --faces (the half the face check never trained on).",
        };

        private readonly Option<string?> _models = CommonOptions.ModelsFolder();
        private readonly Option<string> _json = CommonOptions.JsonResults("precision-bench.json");
        private readonly Option<int> _seed = new("--seed") { DefaultValueFactory = _ => 7, Description = "Random seed (textures, pasted faces)." };

        public void AddTo(Command command)
        {
            Option[] all = [_videos, _faces, _background, _fps, _textures, _perSize, _thresholds, _faceCheck, _checkThresholds, _backbones, _holdout, _models,
                _json, _seed];
            foreach (var o in all) command.Options.Add(o);
        }

        public PrecisionBenchArguments Read(ParseResult parse) => new(
            ModelDirectory.Locate(parse.GetValue(_models)), parse.GetValue(_videos)!, parse.GetValue(_faces)!, parse.GetValue(_background)!,
            parse.GetValue(_fps), parse.GetValue(_textures), parse.GetValue(_perSize), parse.GetValue(_thresholds)!, parse.GetValue(_faceCheck),
            parse.GetValue(_checkThresholds)!, parse.GetValue(_backbones)!, parse.GetValue(_holdout), parse.GetValue(_json)!, parse.GetValue(_seed));
    }

    private static int Run(PrecisionBenchArguments arguments)
    {
        var modelsDir = arguments.ModelsDirectory;
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        var settings = DetectorSettings(arguments.Thresholds);
        Console.Error.WriteLine("precision: collecting frames …");
        var frames = FaceFreeAndFaceFrames(arguments, sessions);
        var (scenes, backgrounds) = RecallScenes(arguments);
        Console.Error.WriteLine($"precision: {frames.Count(f => f.Kind == "masked")} face-free video frames, "
            + $"{frames.Count(f => f.Kind == "with-face")} frames with a face, {frames.Count(f => f.Kind == "texture")} textures; "
            + $"{scenes.Sum(s => s.Faces.Count)} pasted faces");

        var rows = new List<object>();
        var table = new StringBuilder("| setting | false faces / frame: face-free video | textures | frames with a face "
            + "| recall 24–48 px | recall 24–160 px | ms/frame |\n|---|---|---|---|---|---|---|\n");
        foreach (var setting in settings)
        {
            using var detector = DetectorRegistry.Create(setting.Options, modelsDir, sessions);
            rows.Add(MeasureSetting(setting.Name, detector, frames, scenes, table));
        }
        if (arguments.FaceCheck is { } checkFile)
            foreach (var backbone in arguments.Backbones)
                rows.Add(MeasureCheck(modelsDir, checkFile, backbone, arguments.CheckThresholds, frames, scenes, table));
        foreach (var f in frames) f.Dispose();
        foreach (var s in scenes) s.Dispose();
        foreach (var b in backgrounds) b.Dispose();
        Console.WriteLine(table.ToString());
        JsonResultsFile.Write(arguments.JsonFile, new { machine = MachineDescription.Current(), results = rows });
        return 0;
    }

    /// <summary>UltraFace alone, UltraFace on 2×2 tiles at each threshold, and BlazeFace back for comparison.</summary>
    private static List<Setting> DetectorSettings(float[] thresholds)
    {
        var settings = new List<Setting> { new("UltraFace-320", new DetectorOptions { Tiles = 1 }) };
        foreach (var t in thresholds) settings.Add(new($"UltraFace-320 tiles 2, score {t:0.00}", new DetectorOptions { Tiles = 2, ScoreThreshold = t }));
        if (thresholds.Length > 0)
        {
            settings.Add(new("BlazeFace-back-256, score 0.60",
                new DetectorOptions { Kind = BlazeFaceDetector.BackDefinition.Name, ScoreThreshold = 0.6f, Tiles = 1 }));
        }
        return settings;
    }

    /// <summary>Frames of the videos (the face painted out, and with the face) and the generated textures.</summary>
    private static List<PrecisionFrame> FaceFreeAndFaceFrames(PrecisionBenchArguments arguments, OnnxSessionFactory sessions)
    {
        var frames = new List<PrecisionFrame>();
        using (var reference = DetectorRegistry.Create(new DetectorOptions { Tiles = 2, ScoreThreshold = 0.5f }, arguments.ModelsDirectory, sessions))
            foreach (var v in arguments.Videos) frames.AddRange(FaceFreeFrames.FromSinglePersonVideo(v, arguments.Fps, reference));
        frames.AddRange(FaceFreeFrames.Textures(arguments.Textures, 1280, 720, arguments.Seed));
        return frames;
    }

    /// <summary>Faces of --faces (its held-out half with --holdout) pasted at each size onto frames of --background.</summary>
    private static (List<PastedScene> Scenes, List<Mat> Backgrounds) RecallScenes(PrecisionBenchArguments arguments)
    {
        var (labelled, _) = LabelCsvReader.Read(arguments.Faces);
        if (arguments.Holdout) labelled = labelled.Where(f => HoldoutSplit.IsHoldout(f.Path)).ToList();
        var backgrounds = PastedFaces.BackgroundsFrom(arguments.Background);
        return (PastedFaceScenes.Build(labelled, backgrounds, PastedFaces.Sizes, arguments.PerSize, new Random(arguments.Seed)), backgrounds);
    }

    /// <summary>One detector setting: false faces per frame of each kind, recall, time per frame (a table row and a JSON row).</summary>
    private static object MeasureSetting(string name, IFaceDetector detector, List<PrecisionFrame> frames, List<PastedScene> scenes, StringBuilder table)
    {
        var clock = Stopwatch.StartNew();
        var falseByKind = frames.GroupBy(f => f.Kind)
            .ToDictionary(g => g.Key, g => (double)g.Sum(f => detector.Detect(f.Image).Count(d => FaceFreeFrames.IsFalse(d, f.Faces))) / g.Count());
        var (small, all) = Recall(detector, scenes);
        double ms = clock.Elapsed.TotalMilliseconds / (frames.Count + scenes.Count);
        table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {falseByKind["masked"]:0.000} | {falseByKind["texture"]:0.000} "
            + $"| {falseByKind["with-face"]:0.000} | {small:P1} | {all:P1} | {ms:0} |");
        Console.Error.WriteLine(
            $"{name}: face-free {falseByKind["masked"]:0.000}/frame, textures {falseByKind["texture"]:0.000}/frame, recall {all:P1}");
        return new { setting = name, falseFacesPerFrame = falseByKind, recall24to48 = small, recall24to160 = all };
    }

    /// <summary>The default detector setting followed by the face check at each threshold: false faces left and faces kept.</summary>
    private static object MeasureCheck(string modelsDir, string checkFile, string backbone, float[] thresholds, List<PrecisionFrame> frames,
        List<PastedScene> scenes, StringBuilder table)
    {
        var options = new AnalyzerOptions
        {
            ModelsDirectory = modelsDir, AgeGenderModel = backbone, FlipAugmentation = false, FaceCheck = Path.GetFullPath(checkFile),
            Detector = new DetectorOptions { Tiles = 2 },
        };
        using var analyzer = FaceAnalyzer.Create(options);
        // Every detection once, with its face score.
        var falseScores = frames.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => (Frames: g.Count(), Scores: g.SelectMany(f =>
        {
            var dets = analyzer.Detect(f.Image).Where(d => FaceFreeFrames.IsFalse(d, f.Faces)).ToList();
            return analyzer.Analyze(f.Image, dets).Select(r => r.FaceScore ?? 1);
        }).ToList()));
        var (truthScores, small, all) = TruthScores(analyzer, scenes);
        var rows = new List<object>();
        foreach (var t in thresholds.Prepend(0f))
        {
            var left = falseScores.ToDictionary(kv => kv.Key, kv => (double)kv.Value.Scores.Count(s => s >= t) / kv.Value.Frames);
            double keptSmall = (double)truthScores.Count(x => x.Size <= 48 && x.Score >= t) / Math.Max(1, small);
            double keptAll = (double)truthScores.Count(x => x.Score >= t) / Math.Max(1, all);
            string name = t == 0 ? $"UltraFace tiles 2 (0.70), no check [{backbone}]" : $"  + face check ≥ {t:0.00} [{backbone}]";
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {left["masked"]:0.000} | {left["texture"]:0.000} | {left["with-face"]:0.000} | {keptSmall:P1} | {keptAll:P1} | |");
            rows.Add(new { setting = name, backbone, threshold = t, falseFacesPerFrame = left, recall24to48 = keptSmall, recall24to160 = keptAll });
        }
        return rows;
    }

    /// <summary>The face score of each pasted face the analyzer finds (the best of its detections), and how many faces (≤ 48 px, all) there are.</summary>
    private static (List<(int Size, double Score)> Scores, int Small, int All) TruthScores(FaceAnalyzer analyzer, List<PastedScene> scenes)
    {
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
        return (truthScores, small, all);
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

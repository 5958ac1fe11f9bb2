using System.CommandLine;
using System.Globalization;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Fusion;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench attention`: the per-sample "looking at the camera" decision against faces labelled by eye
/// (tools/attention/labels.csv: a photo, or a video at a time, a face box, 1 looking / 0 not / empty no face). Each box
/// gets the worker's decision (fr-landmark68 + landmark-pose, vetoed by the turn check on the worker's age/gender features),
/// the same without the turn check, and the fr-pose network's pose; precision and recall of the decision at the Attention
/// defaults, per kind of source, and over a grid of thresholds with the best by F1.
/// </summary>
public static class AttentionBenchCommand
{
    private sealed record LabelledFace(string Source, BoxF Box, bool Looking);

    private sealed record Posed(LabelledFace Face, HeadPose Landmarks, HeadPose Network, float? TurnedAway, double[] Features)
    {
        public bool IsVideo => Face.Source.Contains('@', StringComparison.Ordinal);
    }

    public static Command Create()
    {
        var labels = new Option<string>("--labels") { Description = "Label CSV (source,x,y,width,height,looking).", Required = true };
        var shared = new Option<string>("--shared")
        {
            Description = "Folder the sources are relative to (then the current one).", DefaultValueFactory = _ => "../shared",
        };
        var models = CommonOptions.ModelsFolder();
        var json = CommonOptions.JsonResults("attention-bench.json");
        var rows = new Option<string?>("--rows-csv")
        {
            Description = "Also write each labelled face (looking, the network's yaw and pitch, fr-landmark68's 136 normalised coordinates) to this CSV.",
        };
        var command = new Command("attention", "Precision and recall of the per-sample looking decision against faces labelled by eye.");
        foreach (var o in new Option[] { labels, shared, models, json, rows }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() => Run(parse.GetValue(labels)!, parse.GetValue(shared)!, ModelDirectory.Locate(parse.GetValue(models)),
            parse.GetValue(json)!, parse.GetValue(rows))));
        return command;
    }

    private static int Run(string labelsFile, string shared, string modelsDirectory, string jsonFile, string? rowsFile)
    {
        var faces = Read(labelsFile);
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var landmarks = new Landmark68Model(sessions.Create(ModelDirectory.Require(modelsDirectory, Landmark68Model.File)));
        using var network = new HeadPoseModel(sessions.Create(ModelDirectory.Require(modelsDirectory, HeadPoseModel.File)));
        var map = LandmarkPose.Load(Path.Combine(modelsDirectory, LandmarkPose.File));
        // The worker's estimator (Pipeline:AgeGenderModel): its int8 network, one view, the turn check.
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions
        {
            ModelsDirectory = modelsDirectory, AgeGenderModel = "faceres-deep-int8.onnx", FaceCheck = "", FlipAugmentation = false,
        });
        var posed = new List<Posed>();
        foreach (var group in faces.GroupBy(f => f.Source))
        {
            using var image = Load(group.Key, shared);
            foreach (var face in group)
            {
                var points = landmarks.Locate(image, [face.Box])[0];
                var features = new double[LandmarkPose.Features];
                LandmarkPose.Normalize(points, features);
                using var crop = analyzer.Sampling.Cut(image, new FaceDetection(face.Box, 1));
                float? turned = analyzer.Estimator.Estimate([crop.Crop])[0].TurnedAway;
                posed.Add(new Posed(face, map.Estimate(points), network.Estimate(image, face.Box), turned, features));
            }
        }

        if (rowsFile is { } csv)
            File.WriteAllLines(csv, posed.Select(p => string.Join(",", new[] { p.Face.Looking ? 1.0 : 0, p.Network.Yaw, p.Network.Pitch }.Concat(p.Features)
                .Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        var defaults = new AttentionOptions();
        var rows = new List<object>();
        Console.WriteLine($"At Attention:MaxYaw {defaults.MaxYaw}°, MaxPitch {defaults.MaxPitch}° "
            + $"({posed.Count} faces, {posed.Count(p => p.Face.Looking)} looking):");
        Console.WriteLine("| faces | pose from | precision | recall | F1 | accuracy |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (what, subset) in new (string, Func<Posed, bool>)[] { ("all", _ => true), ("video frames", p => p.IsVideo), ("photos", p => !p.IsVideo) })
            foreach (var (source, looks) in Sources)
            {
                var score = Decide(posed.Where(subset).ToList(), looks, defaults.MaxYaw, defaults.MaxPitch);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {what} ({score.Faces}) | {source} | {score.Precision:F3} | {score.Recall:F3} | {score.F1:F3} | {score.Accuracy:F3} |"));
                rows.Add(new { faces = what, source, score });
            }
        var grid = new List<object>();
        foreach (var (source, looks) in Sources)
        {
            var best = (from yaw in Enumerable.Range(3, 6).Select(i => i * 5.0)
                        from pitch in Enumerable.Range(3, 5).Select(i => i * 5.0)
                        select (yaw, pitch, score: Decide(posed, looks, yaw, pitch))).ToList();
            grid.AddRange(best.Select(b => new { source, maxYaw = b.yaw, maxPitch = b.pitch, b.score }));
            var top = best.MaxBy(b => b.score.F1);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"attention: {source}: best F1 {top.score.F1:F3} at MaxYaw {top.yaw}°, MaxPitch {top.pitch}° (grid 15–40° × 15–35°)"));
        }
        JsonResultsFile.Write(jsonFile, new { machine = MachineDescription.Current(), labels = labelsFile, faces = posed.Count, rows, grid });
        return 0;
    }

    private static readonly (string Name, Func<Posed, AttentionRule, bool> Looks)[] Sources =
    [
        ("fr-landmark68 + landmark-pose + turn check (the worker's)", (p, rule) => rule.Looks(p.Landmarks, p.TurnedAway)),
        ("fr-landmark68 + landmark-pose", (p, rule) => rule.Looks(p.Landmarks)),
        ("fr-pose network", (p, rule) => rule.Looks(p.Network)),
    ];

    private sealed record Score(int Faces, int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
    {
        public double Precision => TruePositives / (double)Math.Max(1, TruePositives + FalsePositives);
        public double Recall => TruePositives / (double)Math.Max(1, TruePositives + FalseNegatives);
        public double F1 => Precision + Recall > 0 ? 2 * Precision * Recall / (Precision + Recall) : 0;
        public double Accuracy => (TruePositives + TrueNegatives) / (double)Math.Max(1, Faces);
    }

    private static Score Decide(List<Posed> faces, Func<Posed, AttentionRule, bool> decide, double maxYaw, double maxPitch)
    {
        var rule = new AttentionOptions { MaxYaw = maxYaw, MaxPitch = maxPitch }.RuleFor();
        int tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (var f in faces)
        {
            bool looks = decide(f, rule);
            if (looks && f.Face.Looking) tp++;
            else if (looks) fp++;
            else if (f.Face.Looking) fn++;
            else tn++;
        }
        return new Score(faces.Count, tp, fp, fn, tn);
    }

    /// <summary>The labelled faces; rows with an empty label (the box holds no face) are left out.</summary>
    private static List<LabelledFace> Read(string file)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"Label file not found: {file}", file);
        var faces = new List<LabelledFace>();
        foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)).Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length != 6) throw new InvalidDataException($"{file}:{number}: 6 columns expected (source,x,y,width,height,looking).");
            if (cells[5].Length == 0) continue;
            float Number(int i) => float.Parse(cells[i], CultureInfo.InvariantCulture);
            faces.Add(new LabelledFace(cells[0], new BoxF(Number(1), Number(2), Number(3), Number(4)), cells[5] == "1"));
        }
        return faces;
    }

    /// <summary>A photo, or the frame of a video at "file@seconds"; relative to <paramref name="shared"/>, else to the current folder.</summary>
    private static Mat Load(string source, string shared)
    {
        var parts = source.Split('@');
        string path = Path.Combine(shared, parts[0]) is var inShared && File.Exists(inShared) ? inShared : parts[0];
        if (!File.Exists(path)) throw new FileNotFoundException($"Labelled source not found: {parts[0]} (looked in {shared} and here)", parts[0]);
        if (parts.Length == 1) return ImageDecoder.DecodeFile(path);
        double seconds = double.Parse(parts[1], CultureInfo.InvariantCulture);
        var frames = new FfmpegFrameSource(new FrameSourceOptions(path) { StartAt = TimeSpan.FromSeconds(seconds) });
        foreach (var frame in frames.FramesAsync().ToBlockingEnumerable())
            using (frame)
                return frame.Image.Clone();
        throw new InvalidDataException($"{source}: no frame at {seconds} s.");
    }
}

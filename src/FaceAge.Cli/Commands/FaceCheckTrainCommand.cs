using System.CommandLine;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Core.ModelFiles;
using FaceAge.Models.Onnx;
using FaceAge.Training.Evaluation;
using FaceAge.Training.Precision;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage train face-check`: the face/non-face classifier on backbone features (<see cref="LinearCheckTrainer"/>),
/// from crops of the runtime detector (<see cref="FaceCheckData"/>), validated leaving one source out, exported to
/// ONNX with a model card. Deterministic: the same data and seed give the same file.
/// </summary>
public static class FaceCheckTrainCommand
{
    public static Command Create()
    {
        var options = new Options();
        var command = new Command("face-check",
            "Train the face check (is a detection a face?) on backbone features of true and false detections; export ONNX and a model card.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <param name="Faces">Label CSV of aligned face chips; its training half is pasted.</param>
    /// <param name="Photos">Label CSVs of photos with one face each.</param>
    /// <param name="Videos">Single-person videos: their frames, and the face-free frames with the face painted out.</param>
    /// <param name="Network">The age/gender network whose features the check reads (its float file).</param>
    private sealed record FaceCheckArguments(
        string ModelsDirectory, string Faces, string[] Photos, string[] Videos, int Textures, int PerSize, double Fps, double L2, int Seed, string OutputFile,
        string Network);

    private sealed class Options
    {
        private readonly Option<string> _faces = new("--faces")
        {
            Description = "Label CSV of aligned face chips; its training half (not HoldoutSplit) is pasted at 24–160 px.",
            Required = true,
        };

        private readonly Option<string[]> _photos = new("--photos")
        {
            Description = "Label CSVs of photos with one face each (e.g. fairface-dev, fgnet-dev).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };

        private readonly Option<string[]> _videos = new("--videos")
        {
            Description = "Single-person videos for training (their face painted out gives face-free frames).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<int> _textures = new("--textures") { Description = "Generated texture frames (non-faces).", DefaultValueFactory = _ => 600 };
        private readonly Option<int> _perSize = new("--per-size") { Description = "Pasted faces per size.", DefaultValueFactory = _ => 80 };
        private readonly Option<double> _fps = CommonOptions.VideoFps(3);
        private readonly Option<double> _l2 = new("--l2") { Description = "L2 strength on the standardized weights.", DefaultValueFactory = _ => 1e-2 };
        private readonly Option<int> _seed = new("--seed") { Description = "Seed of the pasted faces and the textures.", DefaultValueFactory = _ => 1001 };

        private readonly Option<string> _output = new("--out")
        {
            Description = "The face check's ONNX file; its model card goes beside it.",
            DefaultValueFactory = _ => Path.Combine("models", "heads", "face-check.onnx"),
        };

        private readonly Option<string?> _models = CommonOptions.ModelsFolder();

        private readonly Option<string> _network = new("--model")
        {
            Description = "The age/gender network whose features the check reads (a file in the models folder or a path).",
            DefaultValueFactory = _ => "faceres-deep.onnx",
        };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _faces, _photos, _videos, _textures, _perSize, _fps, _l2, _seed, _output, _models, _network })
                command.Options.Add(o);
        }

        public FaceCheckArguments Read(ParseResult parse) => new(
            ModelDirectory.Locate(parse.GetValue(_models)), parse.GetValue(_faces)!, parse.GetValue(_photos)!, parse.GetValue(_videos)!,
            parse.GetValue(_textures), parse.GetValue(_perSize), parse.GetValue(_fps), parse.GetValue(_l2), parse.GetValue(_seed), parse.GetValue(_output)!,
            parse.GetValue(_network)!);
    }

    private static int Run(FaceCheckArguments arguments)
    {
        // The float backbone, one view, no check: the features the check will score at run time (int8 is checked by the bench).
        // The detector's threshold is low, for hard non-faces and for the faces it is least sure of.
        var analysis = new AnalyzerOptions
        {
            ModelsDirectory = arguments.ModelsDirectory, AgeGenderModel = arguments.Network, AgeGenderHead = "", FlipAugmentation = false, FaceCheck = "",
            Detector = new DetectorOptions { Tiles = 2, ScoreThreshold = 0.3f },
        };
        using var analyzer = FaceAnalyzer.Create(analysis, CliLogging.Factory);
        var data = new FaceCheckData(analyzer, analyzer.Detector, m => Console.Error.WriteLine(m));
        var faceFree = AddVideos(data, analyzer, arguments);
        AddPastedFaces(data, faceFree, arguments);
        foreach (var csv in arguments.Photos) data.AddPhotos(LabelCsvReader.Read(csv).Faces, ModelCardName(csv));
        data.AddTextures(FaceFreeFrames.Textures(arguments.Textures, 1280, 720, arguments.Seed));

        var samples = data.Samples;
        Console.Error.WriteLine(
            $"face check: {samples.Count(s => s.Positive)} faces, {samples.Count(s => !s.Positive)} non-faces; validating leaving one source out …");
        var perSource = ValidateLeavingOneSourceOut(samples, arguments.L2);
        var model = LinearCheckTrainer.Train(samples, arguments.L2);
        var file = arguments.OutputFile;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var layout = analyzer.Estimator.Network.Layout;
        var metadata = new Dictionary<string, string> { ["faceage.trained_by"] = "faceage train face-check" };
        OnnxWriter.WriteFile(model.ToOnnx(layout, BackboneCheck.Face, metadata), file);
        WriteModelCard(arguments, analysis, layout, samples, perSource);
        return 0;
    }

    /// <summary>The frames of each video (its face a true detection, the rest false); returns the frames with the face painted out.</summary>
    private static List<Mat> AddVideos(FaceCheckData data, FaceAnalyzer analyzer, FaceCheckArguments arguments)
    {
        var faceFree = new List<Mat>();
        foreach (var video in arguments.Videos)
        {
            var frames = FaceFreeFrames.FromSinglePersonVideo(video, arguments.Fps, analyzer.Detector).ToList();
            faceFree.AddRange(frames.Where(f => f.Kind == "masked").Select(f => f.Image.Clone()));
            data.AddVideoFrames(frames);
        }
        return faceFree;
    }

    /// <summary>The training half of --faces pasted at each size onto face-free frames of the training videos, scaled to 720p.</summary>
    private static void AddPastedFaces(FaceCheckData data, List<Mat> faceFree, FaceCheckArguments arguments)
    {
        var random = new Random(arguments.Seed);
        var (labelled, _) = LabelCsvReader.Read(arguments.Faces);
        var training = labelled.Where(f => !HoldoutSplit.IsHoldout(f.Path)).ToList();
        var backgrounds = faceFree.Where((_, i) => i % 3 == 0).Select(f => { var m = new Mat(); Cv2.Resize(f, m, new Size(1280, 720)); return m; }).ToList();
        var scenes = PastedFaceScenes.Build(training, backgrounds, PastedFaces.Sizes, arguments.PerSize, random);
        data.AddPastedFaces(scenes, "pasted-" + ModelCardName(arguments.Faces));
        foreach (var s in scenes) s.Dispose();
        foreach (var m in backgrounds.Concat(faceFree)) m.Dispose();
    }

    /// <summary>Per source, the check trained on all others: faces kept and non-faces removed at 0.5 (on stderr and in the model card).</summary>
    private static IReadOnlyList<object> ValidateLeavingOneSourceOut(IReadOnlyList<CheckSample> samples, double l2)
    {
        var validation = LinearCheckTrainer.CrossValidate(samples, l2);
        var perGroup = validation.GroupBy(v => v.Sample.Group).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new
        {
            source = g.Key,
            faces = g.Count(v => v.Sample.Positive),
            nonFaces = g.Count(v => !v.Sample.Positive),
            facesKeptAt05 = g.Any(v => v.Sample.Positive)
                ? Math.Round(g.Where(v => v.Sample.Positive).Average(v => v.Score >= 0.5 ? 1.0 : 0), 4) : (double?)null,
            nonFacesRemovedAt05 = g.Any(v => !v.Sample.Positive)
                ? Math.Round(g.Where(v => !v.Sample.Positive).Average(v => v.Score < 0.5 ? 1.0 : 0), 4) : (double?)null,
        }).ToList();
        foreach (var g in perGroup)
        {
            Console.Error.WriteLine($"  held out {g.source}: {g.faces} faces ({g.facesKeptAt05:P1} kept at 0.5), "
                + $"{g.nonFaces} non-faces ({g.nonFacesRemovedAt05:P1} removed)");
        }
        return perGroup;
    }

    private static void WriteModelCard(
        FaceCheckArguments arguments, AnalyzerOptions analysis, string layout, IReadOnlyList<CheckSample> samples, IReadOnlyList<object> perSource)
    {
        var file = arguments.OutputFile;
        var card = new
        {
            Head = Path.GetFileName(file),
            HeadSha256 = ModelIntegrity.Sha256Of(file),
            Kind = "face-check",
            Backbone = Path.GetFileName(analysis.AgeGenderModel),
            FeatureLayout = layout,
            Detector = $"{analysis.Detector.Kind} tiles {analysis.Detector.Tiles} score ≥ {analysis.Detector.ScoreThreshold}",
            Seed = arguments.Seed,
            L2 = arguments.L2,
            Faces = samples.Count(s => s.Positive),
            NonFaces = samples.Count(s => !s.Positive),
            Sources = new
            {
                pastedFaces = $"{arguments.Faces} (training half: HoldoutSplit even), {arguments.PerSize} per size at 24–160 px",
                photos = arguments.Photos,
                videos = arguments.Videos.Select(Path.GetFileName),
                textures = $"{arguments.Textures} generated, seed {arguments.Seed}",
            },
            LeaveOneSourceOut = perSource,
            Licence = "Derived from UTKFace (non-commercial research only), FairFace (CC BY 4.0), FG-NET (research use) and the LivePortrait example clips: " +
                      "use it under the most restrictive of these terms (non-commercial research).",
        };
        var stem = Path.ChangeExtension(file, null);
        JsonResultsFile.Write(stem + ".card.json", card);
        Console.Error.WriteLine($"face check written to {file} (SHA-256 {card.HeadSha256}) with {stem}.card.json");
    }

    private static string ModelCardName(string labels) => Training.ModelCard.DataNameOf(labels);
}

using System.CommandLine;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.ModelFiles;
using FaceAge.Models.Onnx;
using FaceAge.Training.Evaluation;
using FaceAge.Training.Precision;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage train face-check`: the face/non-face classifier on backbone features (<see cref="FaceCheckTrainer"/>),
/// from crops of the runtime detector (<see cref="FaceCheckData"/>), validated leaving one source out, exported to
/// ONNX with a model card. Deterministic: the same data and seed give the same file.
/// </summary>
public static class FaceCheckTrainCommand
{
    public static Command Create()
    {
        var faces = new Option<string>("--faces") { Description = "Label CSV of aligned face chips; its training half (not HoldoutSplit) is pasted at 24–160 px.", Required = true };
        var photos = new Option<string[]>("--photos") { Description = "Label CSVs of photos with one face each (e.g. fairface-dev, fgnet-dev).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var videos = new Option<string[]>("--videos") { Description = "Single-person videos for training (their face painted out gives face-free frames).", Required = true, AllowMultipleArgumentsPerToken = true };
        var textures = new Option<int>("--textures") { Description = "Generated texture frames (non-faces).", DefaultValueFactory = _ => 600 };
        var perSize = new Option<int>("--per-size") { Description = "Pasted faces per size.", DefaultValueFactory = _ => 80 };
        var fps = new Option<double>("--fps") { Description = "Frames per second taken from each video.", DefaultValueFactory = _ => 3 };
        var l2 = new Option<double>("--l2") { Description = "L2 strength on the standardized weights.", DefaultValueFactory = _ => 1e-2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the pasted faces and the textures.", DefaultValueFactory = _ => 1001 };
        var output = new Option<string>("--out") { Description = "The face check's ONNX file; its model card goes beside it.", DefaultValueFactory = _ => Path.Combine("models", "heads", "face-check.onnx") };
        var models = new Option<string?>("--models") { Description = "Models folder." };

        var command = new Command("face-check", "Train the face check (is a detection a face?) on backbone features of true and false detections; export ONNX and a model card.");
        foreach (var o in new Option[] { faces, photos, videos, textures, perSize, fps, l2, seed, output, models }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(models));
            // The float backbone, one view, no check: the features the check will score at run time (int8 is checked by the bench).
            // The detector's threshold is low, for hard non-faces and for the faces it is least sure of.
            var analysis = new AnalyzerOptions { ModelsDirectory = modelsDir, FlipAugmentation = false, FaceCheck = "", Detector = new DetectorOptions { Tiles = 2, ScoreThreshold = 0.3f } };
            using var analyzer = FaceAnalyzer.Create(analysis, CliLogging.Factory);
            var data = new FaceCheckData(analyzer, analyzer.Detector, m => Console.Error.WriteLine(m));
            var random = new Random(parse.GetValue(seed));

            var faceFree = new List<Mat>();
            foreach (var video in parse.GetValue(videos)!)
            {
                var frames = FaceFreeFrames.FromSinglePersonVideo(video, parse.GetValue(fps), analyzer.Detector).ToList();
                faceFree.AddRange(frames.Where(f => f.Kind == "masked").Select(f => f.Image.Clone()));
                data.AddVideoFrames(frames);
            }
            var (labelled, _) = LabelCsvReader.Read(parse.GetValue(faces)!);
            var training = labelled.Where(f => !HoldoutSplit.IsHoldout(f.Path)).ToList();
            // Face-free frames of the training videos, scaled to 720p, are the pasted faces' backgrounds.
            var backgrounds = faceFree.Where((_, i) => i % 3 == 0).Select(f => { var m = new Mat(); Cv2.Resize(f, m, new Size(1280, 720)); return m; }).ToList();
            var scenes = PastedFaceScenes.Build(training, backgrounds, [24, 32, 48, 64, 96, 128, 160], parse.GetValue(perSize), random);
            data.AddPastedFaces(scenes, "pasted-" + ModelCardName(parse.GetValue(faces)!));
            foreach (var s in scenes) s.Dispose();
            foreach (var m in backgrounds.Concat(faceFree)) m.Dispose();
            foreach (var csv in parse.GetValue(photos)!) data.AddPhotos(LabelCsvReader.Read(csv).Faces, ModelCardName(csv));
            data.AddTextures(FaceFreeFrames.Textures(parse.GetValue(textures), 1280, 720, parse.GetValue(seed)));

            var samples = data.Samples;
            Console.Error.WriteLine($"face check: {samples.Count(s => s.IsFace)} faces, {samples.Count(s => !s.IsFace)} non-faces; validating leaving one source out …");
            var validation = FaceCheckTrainer.CrossValidate(samples, parse.GetValue(l2));
            var perGroup = validation.GroupBy(v => v.Sample.Group).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new
            {
                source = g.Key,
                faces = g.Count(v => v.Sample.IsFace),
                nonFaces = g.Count(v => !v.Sample.IsFace),
                facesKeptAt05 = g.Any(v => v.Sample.IsFace) ? Math.Round(g.Where(v => v.Sample.IsFace).Average(v => v.Score >= 0.5 ? 1.0 : 0), 4) : (double?)null,
                nonFacesRemovedAt05 = g.Any(v => !v.Sample.IsFace) ? Math.Round(g.Where(v => !v.Sample.IsFace).Average(v => v.Score < 0.5 ? 1.0 : 0), 4) : (double?)null,
            }).ToList();
            foreach (var g in perGroup) Console.Error.WriteLine($"  held out {g.source}: {g.faces} faces ({g.facesKeptAt05:P1} kept at 0.5), {g.nonFaces} non-faces ({g.nonFacesRemovedAt05:P1} removed)");

            var model = FaceCheckTrainer.Train(samples, parse.GetValue(l2));
            var file = parse.GetValue(output)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            OnnxWriter.WriteFile(model.ToOnnx(new Dictionary<string, string> { ["faceage.trained_by"] = "faceage train face-check" }), file);
            var card = new
            {
                Head = Path.GetFileName(file),
                HeadSha256 = ModelIntegrity.Sha256Of(file),
                Kind = "face-check",
                Backbone = Path.GetFileName(analysis.AgeGenderModel),
                FeatureLayout = Core.Estimation.BackboneFeatures.Layout,
                Detector = $"{analysis.Detector.Kind} tiles {analysis.Detector.Tiles} score ≥ {analysis.Detector.ScoreThreshold}",
                Seed = parse.GetValue(seed),
                L2 = parse.GetValue(l2),
                Faces = samples.Count(s => s.IsFace),
                NonFaces = samples.Count(s => !s.IsFace),
                Sources = new
                {
                    pastedFaces = $"{parse.GetValue(faces)} (training half: HoldoutSplit even), {parse.GetValue(perSize)} per size at 24–160 px",
                    photos = parse.GetValue(photos),
                    videos = parse.GetValue(videos)!.Select(Path.GetFileName),
                    textures = $"{parse.GetValue(textures)} generated, seed {parse.GetValue(seed)}",
                },
                LeaveOneSourceOut = perGroup,
                Licence = "Derived from UTKFace (non-commercial research only), FairFace (CC BY 4.0), FG-NET (research use) and the LivePortrait example clips: " +
                          "use it under the most restrictive of these terms (non-commercial research).",
            };
            var stem = Path.ChangeExtension(file, null);
            File.WriteAllText(stem + ".card.json", JsonSerializer.Serialize(card, new JsonSerializerOptions { WriteIndented = true }));
            Console.Error.WriteLine($"face check written to {file} (SHA-256 {card.HeadSha256}) with {stem}.card.json");
            return 0;
        }));
        return command;
    }

    private static string ModelCardName(string labels) => Training.ModelCard.DataNameOf(labels);
}

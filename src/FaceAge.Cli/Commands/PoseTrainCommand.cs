using System.CommandLine;
using System.Globalization;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Models.Onnx;
using FaceAge.Training.Pose;
using FaceAge.Training.Precision;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage train pose`: the linear map from fr-landmark68's points to yaw and pitch (<see cref="LandmarkPose"/>),
/// distilled from the fr-pose network, and the turn check (<see cref="BackboneCheck.Turn"/>): P(head turned 45° or more)
/// from the worker's age/gender features of the face's crop, which catches the profiles whose landmarks go wrong. Every
/// face of the photos (default detector) and its mirror image give a row; the target is the network's pose made
/// mirror-consistent (yaw: half the difference of its yaw on the image and on the mirror; pitch: their mean), which also
/// takes off its yaw offset. Both penalties are chosen on the validation photos. Deterministic: the same photos give the
/// same files on one CPU kind.
/// </summary>
public static class PoseTrainCommand
{
    private static readonly double[] Lambdas = [1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100];
    private static readonly double[] CheckPenalties = [1e-3, 1e-2, 0.1, 1];
    private static readonly double[] Thresholds = [0.3, 0.4, 0.5, 0.6, 0.7];

    /// <summary>Teacher yaw up to which a face counts as facing the camera for the turn check (the band up to 45° is left out).</summary>
    private const double FacingDegrees = 30;

    private sealed record PoseTrainArguments(
        string ModelsDirectory, string[] Photos, string[] Validation, string OutputFile, string TurnCheckFile, string Backbone, string? RowsFile);

    /// <summary>A face's normalised points, the backbone features of its crop, the mirror-consistent teacher pose and its photo.</summary>
    private sealed record Row(double[] Features, double Yaw, double Pitch, float[][] Backbones, string Photo);

    /// <summary>
    /// The turn check sees each face's crop at the detector's box and at a box this much larger about its centre: the worker's
    /// detector boxes one face more or less tightly with its size in the frame and the tiles, and the check must not hinge on it.
    /// </summary>
    private static readonly float[] BoxScales = [1f, 1.4f];

    public static Command Create()
    {
        var photos = new Option<string[]>("--photos") { Description = "Training photos (every face).", Required = true, AllowMultipleArgumentsPerToken = true };
        var validation = new Option<string[]>("--validation")
        {
            Description = "Validation photos: the penalty that fits them best is kept.", Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output")
        {
            Description = "The map's JSON file.", DefaultValueFactory = _ => Path.Combine("models", "heads", "landmark-pose.json"),
        };
        var turnCheck = new Option<string>("--turn-check")
        {
            Description = "The turn check's ONNX file; its model card goes beside it.",
            DefaultValueFactory = _ => Path.Combine("models", "heads", "turn-check.onnx"),
        };
        var backbone = new Option<string>("--backbone")
        {
            Description = "The age/gender network whose features the turn check reads (the worker's: Pipeline:AgeGenderModel).",
            DefaultValueFactory = _ => "faceres-deep-int8.onnx",
        };
        var rows = new Option<string?>("--rows-csv")
        {
            Description = "Also write every row (set, target yaw, pitch, the 136 normalised coordinates) to this CSV.",
        };
        var models = CommonOptions.ModelsFolder();
        var command = new Command("pose", "Distil the fr-pose network into a linear map from fr-landmark68's points to yaw and pitch (JSON) "
            + "and a turn check on the age/gender features (ONNX + model card).");
        foreach (var o in new Option[] { photos, validation, output, turnCheck, backbone, rows, models }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() => Run(new PoseTrainArguments(ModelDirectory.Locate(parse.GetValue(models)),
            parse.GetValue(photos) ?? [], parse.GetValue(validation) ?? [], parse.GetValue(output)!, parse.GetValue(turnCheck)!, parse.GetValue(backbone)!,
            parse.GetValue(rows)))));
        return command;
    }

    private static int Run(PoseTrainArguments arguments)
    {
        // The output folders first, not after the photos' minutes.
        foreach (var output in new[] { arguments.OutputFile, arguments.TurnCheckFile })
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), arguments.ModelsDirectory, sessions);
        using var landmarks = new Landmark68Model(sessions.Create(ModelDirectory.Require(arguments.ModelsDirectory, Landmark68Model.File)));
        using var teacher = new HeadPoseModel(sessions.Create(ModelDirectory.Require(arguments.ModelsDirectory, HeadPoseModel.File)));
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions
        {
            ModelsDirectory = arguments.ModelsDirectory, AgeGenderModel = arguments.Backbone, AgeGenderHead = "", FaceCheck = "", TurnCheck = "",
            FlipAugmentation = false,
        });
        var train = Rows(arguments.Photos, detector, landmarks, teacher, analyzer, "training");
        var validation = Rows(arguments.Validation, detector, landmarks, teacher, analyzer, "validation");
        if (train.Count == 0 || validation.Count == 0) throw new ArgumentException("no face found in the training or the validation photos.");
        if (arguments.RowsFile is { } csv)
            File.WriteAllLines(csv, train.Select(r => ("training", r)).Concat(validation.Select(r => ("validation", r))).Select(x => string.Join(",",
                new[] { x.Item1, F(x.r.Yaw), F(x.r.Pitch) }.Concat(x.r.Features.Select(F)))));

        Console.WriteLine("| lambda | validation \\|yaw error\\| mean | \\|pitch error\\| mean |");
        Console.WriteLine("|---|---|---|");
        (double Lambda, double[] Yaw, double[] Pitch, double YawError, double PitchError)? best = null;
        foreach (double lambda in Lambdas)
        {
            var yaw = RidgeRegression.Fit(train.Select(r => r.Features).ToList(), train.Select(r => r.Yaw).ToList(), lambda);
            var pitch = RidgeRegression.Fit(train.Select(r => r.Features).ToList(), train.Select(r => r.Pitch).ToList(), lambda);
            double yawError = validation.Average(r => Math.Abs(RidgeRegression.Predict(yaw, r.Features) - r.Yaw));
            double pitchError = validation.Average(r => Math.Abs(RidgeRegression.Predict(pitch, r.Features) - r.Pitch));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {lambda:G} | {yawError:F2}° | {pitchError:F2}° |"));
            if (best is null || yawError + pitchError < best.Value.YawError + best.Value.PitchError) best = (lambda, yaw, pitch, yawError, pitchError);
        }
        var chosen = best!.Value;
        var map = new LandmarkPose
        {
            Teacher = $"{HeadPoseModel.Name} ({HeadPoseModel.File}), mirror-consistent; lambda {chosen.Lambda.ToString("G", CultureInfo.InvariantCulture)} "
                + string.Create(CultureInfo.InvariantCulture,
                    $"chosen on {validation.Count / 2} validation faces: mean |yaw error| {chosen.YawError:F2}°, |pitch error| {chosen.PitchError:F2}°"),
            TrainedOn = $"{train.Count / 2} faces of {arguments.Photos.Length} photos and their mirror images",
            Command = "faceage train pose (docs/accuracy.md, \"Head pose\")",
            YawWeights = chosen.Yaw,
            PitchWeights = chosen.Pitch,
        };
        map.Save(arguments.OutputFile);
        Console.Error.WriteLine($"train pose: wrote {arguments.OutputFile} ({map.Teacher})");
        TrainTurnCheck(arguments, analyzer.Estimator.Network.Layout, map, train, validation);
        return 0;
    }

    /// <summary>How the turn check and the map's looking call fare on the validation faces.</summary>
    private sealed record CheckScore(double L2, int Turned, int TurnedFlagged, int Facing, int FacingFlagged, int Between, int BetweenFlagged,
        int TurnedLookingByMap, int TurnedLookingAfterCheck)
    {
        public double BalancedAccuracy => (TurnedFlagged / (double)Math.Max(1, Turned) + 1 - FacingFlagged / (double)Math.Max(1, Facing)) / 2;
    }

    /// <summary>
    /// Turned (teacher |yaw| ≥ 45°) against facing (≤ 30°) faces; the band between is left out of training, as a face there
    /// is neither. The penalty with the best balanced accuracy on the validation faces is kept.
    /// </summary>
    private static void TrainTurnCheck(PoseTrainArguments arguments, string layout, LandmarkPose map, List<Row> train, List<Row> validation)
    {
        var samples = train.Where(r => Math.Abs(r.Yaw) >= BackboneCheck.TurnedDegrees || Math.Abs(r.Yaw) <= FacingDegrees)
            .SelectMany(r => r.Backbones.Select(b => new CheckSample(b, Math.Abs(r.Yaw) >= BackboneCheck.TurnedDegrees, r.Photo))).ToList();
        var scored = validation.SelectMany(r => r.Backbones.Select(b => (Row: r, Backbone: b))).ToList();
        var rule = new AttentionOptions().RuleFor();
        Console.WriteLine();
        Console.WriteLine($"Turn check ({samples.Count(s => s.Positive)} turned, {samples.Count(s => !s.Positive)} facing training faces):");
        Console.WriteLine("| L2 | turned ≥ 45° flagged | facing ≤ 30° flagged | 30–45° flagged | turned, looking by the map → with the check "
            + "| balanced accuracy |");
        Console.WriteLine("|---|---|---|---|---|---|");
        (LinearCheck Model, CheckScore Score)? best = null;
        var scores = new List<CheckScore>();
        foreach (double l2 in CheckPenalties)
        {
            var model = LinearCheckTrainer.Train(samples, l2);
            int turned = 0, turnedFlagged = 0, facing = 0, facingFlagged = 0, between = 0, betweenFlagged = 0, looking = 0, lookingAfter = 0;
            foreach (var (r, backbone) in scored)
            {
                bool flagged = model.Score(backbone) >= 0.5;
                var pose = new HeadPose(RidgeRegression.Predict(map.YawWeights, r.Features), RidgeRegression.Predict(map.PitchWeights, r.Features), 0);
                if (Math.Abs(r.Yaw) >= BackboneCheck.TurnedDegrees)
                {
                    turned++;
                    if (flagged) turnedFlagged++;
                    if (rule.Looks(pose)) looking++;
                    if (rule.Looks(pose, flagged ? 1 : 0)) lookingAfter++;
                }
                else if (Math.Abs(r.Yaw) <= FacingDegrees)
                {
                    facing++;
                    if (flagged) facingFlagged++;
                }
                else
                {
                    between++;
                    if (flagged) betweenFlagged++;
                }
            }
            var score = new CheckScore(l2, turned, turnedFlagged, facing, facingFlagged, between, betweenFlagged, looking, lookingAfter);
            scores.Add(score);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {l2:G} | {turnedFlagged}/{turned} | {facingFlagged}/{facing} | "
                + $"{betweenFlagged}/{between} | {looking} → {lookingAfter} | {score.BalancedAccuracy:F3} |"));
            if (best is null || score.BalancedAccuracy > best.Value.Score.BalancedAccuracy) best = (model, score);
        }
        // How the verdict would move with the threshold (the attention rule uses 0.5, where the balanced training puts it).
        var chosen = best!.Value.Model;
        var byThreshold = Thresholds.Select(t => new
        {
            threshold = t,
            turnedFlagged = scored.Count(v => Math.Abs(v.Row.Yaw) >= BackboneCheck.TurnedDegrees && chosen.Score(v.Backbone) >= t),
            facingFlagged = scored.Count(v => Math.Abs(v.Row.Yaw) <= FacingDegrees && chosen.Score(v.Backbone) >= t),
        }).ToList();
        foreach (var t in byThreshold)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"at P ≥ {t.threshold}: turned flagged {t.turnedFlagged}/{best.Value.Score.Turned}, "
                + $"facing flagged {t.facingFlagged}/{best.Value.Score.Facing}"));
        var file = arguments.TurnCheckFile;
        OnnxWriter.WriteFile(chosen.ToOnnx(layout, BackboneCheck.Turn, new Dictionary<string, string> { ["faceage.trained_by"] = "faceage train pose" }),
            file);
        var card = new
        {
            Head = Path.GetFileName(file),
            HeadSha256 = ModelIntegrity.Sha256Of(file),
            Kind = BackboneCheck.Turn.Name,
            Command = "faceage train pose (docs/accuracy.md, \"Head pose and attention\")",
            Backbone = arguments.Backbone,
            FeatureLayout = layout,
            Teacher = $"{HeadPoseModel.Name} ({HeadPoseModel.File}), mirror-consistent: turned |yaw| ≥ {BackboneCheck.TurnedDegrees}°, "
                + $"facing ≤ {FacingDegrees}°",
            TrainingPhotos = arguments.Photos.Length,
            Turned = samples.Count(s => s.Positive),
            Facing = samples.Count(s => !s.Positive),
            ValidationPhotos = arguments.Validation.Length,
            BoxScales,
            L2 = best.Value.Score.L2,
            Validation = scores,
            ValidationByThreshold = byThreshold,
            Licence = "Derived from FairFace photos (CC BY 4.0): credit FairFace.",
        };
        var stem = Path.ChangeExtension(file, null);
        JsonResultsFile.Write(stem + ".card.json", card);
        Console.Error.WriteLine($"train pose: wrote {file} (L2 {best.Value.Score.L2}, SHA-256 {card.HeadSha256}) with {stem}.card.json");
    }

    private static List<Row> Rows(string[] photos, IFaceDetector detector, Landmark68Model landmarks, HeadPoseModel teacher, FaceAnalyzer analyzer,
        string what)
    {
        var rows = new List<Row>();
        using var mirror = new Mat();
        int done = 0;
        foreach (var photo in photos)
        {
            using var image = ImageDecoder.DecodeFile(photo);
            Cv2.Flip(image, mirror, FlipMode.Y);
            foreach (var face in detector.Detect(image))
            {
                var box = face.Box;
                var mirrored = new BoxF(image.Width - box.Right, box.Y, box.Width, box.Height);
                HeadPose seen = teacher.Estimate(image, box), seenMirrored = teacher.Estimate(mirror, mirrored);
                double yaw = (seen.Yaw - seenMirrored.Yaw) / 2, pitch = (seen.Pitch + seenMirrored.Pitch) / 2;
                var crops = BoxScales.Select(scale => analyzer.Sampling.Cut(image, face with
                {
                    Box = new BoxF(box.CenterX - box.Width * scale / 2, box.CenterY - box.Height * scale / 2, box.Width * scale, box.Height * scale),
                })).ToList();
                var backbones = analyzer.Estimator.Features(crops.Select(c => c.Crop).ToList(), mirrored: true);
                foreach (var c in crops) c.Dispose();
                rows.Add(new Row(Features(landmarks.Locate(image, [box])[0]), yaw, pitch, backbones.Select(b => b[0]).ToArray(), photo));
                rows.Add(new Row(Features(landmarks.Locate(mirror, [mirrored])[0]), -yaw, pitch, backbones.Select(b => b[1]).ToArray(), photo));
            }
            if (++done % 500 == 0) Console.Error.WriteLine($"train pose: {done}/{photos.Length} {what} photos, {rows.Count / 2} faces");
        }
        return rows;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double[] Features(float[] points)
    {
        var features = new double[LandmarkPose.Features];
        LandmarkPose.Normalize(points, features);
        return features;
    }
}

using System.CommandLine;
using System.Globalization;
using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Pose;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage train pose`: the linear map from fr-landmark68's points to yaw and pitch (<see cref="LandmarkPose"/>),
/// distilled from the fr-pose network. Every face of the photos (default detector) and its mirror image give a row; the
/// target is the network's pose made mirror-consistent (yaw: half the difference of its yaw on the image and on the
/// mirror; pitch: their mean), which also takes off its yaw offset. The penalty is chosen on the validation photos.
/// </summary>
public static class PoseTrainCommand
{
    private static readonly double[] Lambdas = [1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100];

    private sealed record PoseTrainArguments(string ModelsDirectory, string[] Photos, string[] Validation, string OutputFile, string? RowsFile);

    /// <summary>A face's normalised points and the mirror-consistent teacher pose.</summary>
    private sealed record Row(double[] Features, double Yaw, double Pitch);

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
        var rows = new Option<string?>("--rows-csv")
        {
            Description = "Also write every row (set, target yaw, pitch, the 136 normalised coordinates) to this CSV.",
        };
        var models = CommonOptions.ModelsFolder();
        var command = new Command("pose", "Distil the fr-pose network into a linear map from fr-landmark68's points to yaw and pitch; write its JSON.");
        foreach (var o in new Option[] { photos, validation, output, rows, models }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() => Run(new PoseTrainArguments(ModelDirectory.Locate(parse.GetValue(models)),
            parse.GetValue(photos) ?? [], parse.GetValue(validation) ?? [], parse.GetValue(output)!, parse.GetValue(rows)))));
        return command;
    }

    private static int Run(PoseTrainArguments arguments)
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), arguments.ModelsDirectory, sessions);
        using var landmarks = new Landmark68Model(sessions.Create(ModelDirectory.Require(arguments.ModelsDirectory, Landmark68Model.File)));
        using var teacher = new HeadPoseModel(sessions.Create(ModelDirectory.Require(arguments.ModelsDirectory, HeadPoseModel.File)));
        var train = Rows(arguments.Photos, detector, landmarks, teacher, "training");
        var validation = Rows(arguments.Validation, detector, landmarks, teacher, "validation");
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
        return 0;
    }

    private static List<Row> Rows(string[] photos, IFaceDetector detector, Landmark68Model landmarks, HeadPoseModel teacher, string what)
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
                rows.Add(new Row(Features(landmarks.Locate(image, [box])[0]), yaw, pitch));
                rows.Add(new Row(Features(landmarks.Locate(mirror, [mirrored])[0]), -yaw, pitch));
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

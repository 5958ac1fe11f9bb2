using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench pose`: the two head-pose sources side by side, on video frames (the largest face of each) and photos
/// (every face): the pose from fr-landmark68's points (<see cref="LandmarkPose"/>, what the worker runs) and the fr-pose network.
/// Each face is also measured in the mirror image, where a right pose source gives the opposite yaw and roll and the
/// same pitch; the two sources' agreement and each one's time per face are reported.
/// </summary>
public static class PoseBenchCommand
{
    private sealed record PoseBenchArguments(string ModelsDirectory, string[] Videos, string[] Photos, double Fps, string JsonFile, string? FacesFile);

    /// <summary>One face (of a file, at a frame): each source's pose on the image and on its mirror image.</summary>
    private sealed record Measured(string Source, int Frame, BoxF Box, HeadPose Landmarks, HeadPose LandmarksMirrored, HeadPose Model, HeadPose ModelMirrored);

    public static Command Create()
    {
        var videos = new Option<string[]>("--videos") { Description = "Videos (the largest face of each frame).", AllowMultipleArgumentsPerToken = true };
        var photos = new Option<string[]>("--photos") { Description = "Photos (every face).", AllowMultipleArgumentsPerToken = true };
        var fps = new Option<double>("--fps") { Description = "Video frames per second taken (0 = every frame).", DefaultValueFactory = _ => 2 };
        var models = CommonOptions.ModelsFolder();
        var json = CommonOptions.JsonResults("pose-bench.json");
        var faces = new Option<string?>("--faces-csv")
        {
            Description = "Also write each face's box and angles by both sources (file, frame, box, yaw, pitch…) to this CSV.",
        };
        var command = new Command("pose", "Compare head pose from the landmarks with the fr-pose network: mirror images, agreement, time per face.");
        foreach (var o in new Option[] { videos, photos, fps, models, json, faces }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() => Run(new PoseBenchArguments(ModelDirectory.Locate(parse.GetValue(models)),
            parse.GetValue(videos) ?? [], parse.GetValue(photos) ?? [], parse.GetValue(fps), parse.GetValue(json)!, parse.GetValue(faces)))));
        return command;
    }

    private static int Run(PoseBenchArguments arguments)
    {
        if (arguments.Videos.Length + arguments.Photos.Length == 0) throw new ArgumentException("--videos or --photos: give at least one file.");
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), arguments.ModelsDirectory, sessions);
        using var landmarks = new Landmark68Model(sessions.Create(ModelDirectory.Require(arguments.ModelsDirectory, Landmark68Model.File)));
        using var model = new HeadPoseModel(sessions.Create(ModelDirectory.Require(arguments.ModelsDirectory, HeadPoseModel.File)));
        var map = LandmarkPose.Load(Path.Combine(arguments.ModelsDirectory, LandmarkPose.File));
        var measured = new List<Measured>();
        TimeSpan landmarkTime = TimeSpan.Zero, modelTime = TimeSpan.Zero;
        using var mirror = new Mat();

        void MeasureFaces(string source, int frame, Mat image, IEnumerable<FaceDetection> faces)
        {
            Cv2.Flip(image, mirror, FlipMode.Y);
            foreach (var face in faces)
            {
                var box = face.Box;
                var mirrored = new BoxF(image.Width - box.Right, box.Y, box.Width, box.Height);
                var clock = Stopwatch.StartNew();
                var fromLandmarks = map.Estimate(landmarks.Locate(image, [box])[0]);
                landmarkTime += clock.Elapsed;
                clock.Restart();
                var fromModel = model.Estimate(image, box);
                modelTime += clock.Elapsed;
                measured.Add(new Measured(source, frame, box, fromLandmarks, map.Estimate(landmarks.Locate(mirror, [mirrored])[0]), fromModel,
                    model.Estimate(mirror, mirrored)));
            }
        }

        foreach (var video in arguments.Videos)
        {
            var source = new FfmpegFrameSource(new FrameSourceOptions(video) { MaxFps = arguments.Fps });
            int index = 0;
            foreach (var frame in source.FramesAsync().ToBlockingEnumerable())
                using (frame)
                    if (detector.Detect(frame.Image).MaxBy(d => d.Box.Area) is { } face) MeasureFaces(video, index++, frame.Image, [face]);
                    else index++;
        }
        foreach (var photo in arguments.Photos)
        {
            using var image = ImageDecoder.DecodeFile(photo);
            MeasureFaces(photo, 0, image, detector.Detect(image));
        }

        var rows = new List<object>();
        Console.WriteLine("| pose from | ms per face | mirrored: \\|yaw + yaw'\\| median / p95 | \\|pitch − pitch'\\| median / p95 | "
            + "against the other: \\|Δyaw\\| median, r | \\|Δpitch\\| median, r |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, ms, pose, mirrored, other) in new[]
        {
            ("fr-landmark68 points + landmark-pose", landmarkTime.TotalMilliseconds, (Func<Measured, HeadPose>)(m => m.Landmarks),
                (Func<Measured, HeadPose>)(m => m.LandmarksMirrored), (Func<Measured, HeadPose>)(m => m.Model)),
            ("fr-pose network", modelTime.TotalMilliseconds, m => m.Model, m => m.ModelMirrored, m => m.Landmarks),
        })
        {
            var yawMirror = measured.Select(m => Math.Abs(pose(m).Yaw + mirrored(m).Yaw)).ToList();
            var pitchMirror = measured.Select(m => Math.Abs(pose(m).Pitch - mirrored(m).Pitch)).ToList();
            var yawOff = measured.Select(m => Math.Abs(pose(m).Yaw - other(m).Yaw)).ToList();
            var pitchOff = measured.Select(m => Math.Abs(pose(m).Pitch - other(m).Pitch)).ToList();
            double yawR = Correlation(measured.Select(m => (pose(m).Yaw, other(m).Yaw)).ToList());
            double pitchR = Correlation(measured.Select(m => (pose(m).Pitch, other(m).Pitch)).ToList());
            double perFace = ms / Math.Max(1, measured.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {perFace:F2} | {Percentiles.Of(yawMirror, 0.5):F1}° / {Percentiles.Of(yawMirror, 0.95):F1}° | "
                + $"{Percentiles.Of(pitchMirror, 0.5):F1}° / {Percentiles.Of(pitchMirror, 0.95):F1}° | {Percentiles.Of(yawOff, 0.5):F1}°, {yawR:F2} | "
                + $"{Percentiles.Of(pitchOff, 0.5):F1}°, {pitchR:F2} |"));
            rows.Add(new
            {
                source = name, msPerFace = perFace,
                yawMirrorMedian = Percentiles.Of(yawMirror, 0.5), yawMirrorP95 = Percentiles.Of(yawMirror, 0.95),
                pitchMirrorMedian = Percentiles.Of(pitchMirror, 0.5), pitchMirrorP95 = Percentiles.Of(pitchMirror, 0.95),
                yawToOtherMedian = Percentiles.Of(yawOff, 0.5), yawCorrelation = yawR,
                pitchToOtherMedian = Percentiles.Of(pitchOff, 0.5), pitchCorrelation = pitchR,
            });
        }
        var yaws = measured.Select(m => Math.Abs(m.Landmarks.Yaw)).ToList();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pose: {measured.Count} faces ({arguments.Videos.Length} videos, {arguments.Photos.Length} photos); |yaw| by the landmarks: median "
            + $"{Percentiles.Of(yaws, 0.5):F1}°, 95th percentile {Percentiles.Of(yaws, 0.95):F1}°"));
        if (arguments.FacesFile is { } csv)
            File.WriteAllLines(csv, measured.Select(m => string.Create(CultureInfo.InvariantCulture,
                    $"{m.Source},{m.Frame},{m.Box.X:F0},{m.Box.Y:F0},{m.Box.Width:F0},{m.Box.Height:F0},{m.Landmarks.Yaw:F1},{m.Landmarks.Pitch:F1},"
                    + $"{m.Model.Yaw:F1},{m.Model.Pitch:F1}"))
                .Prepend("file,frame,x,y,width,height,landmark_yaw,landmark_pitch,network_yaw,network_pitch"));
        JsonResultsFile.Write(arguments.JsonFile, new { machine = MachineDescription.Current(), faces = measured.Count, rows });
        return 0;
    }

    private static double Correlation(List<(double A, double B)> pairs)
    {
        if (pairs.Count < 2) return double.NaN;
        double ma = pairs.Average(p => p.A), mb = pairs.Average(p => p.B);
        double cov = pairs.Sum(p => (p.A - ma) * (p.B - mb));
        double va = pairs.Sum(p => (p.A - ma) * (p.A - ma)), vb = pairs.Sum(p => (p.B - mb) * (p.B - mb));
        return va > 0 && vb > 0 ? cov / Math.Sqrt(va * vb) : double.NaN;
    }
}

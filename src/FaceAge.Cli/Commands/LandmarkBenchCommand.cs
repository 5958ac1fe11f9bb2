using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench landmarks`: how steady and how costly each landmark finder is on real video. Every frame of each clip
/// (one person each), the largest face, its five points from every finder; jitter is what is left of a point after the
/// mean of its places one frame before and one after is taken off (smooth head motion cancels, frame-to-frame noise does
/// not), in % of the face box's width, beside the same figure for the box's centre.
/// </summary>
public static class LandmarkBenchCommand
{
    private sealed record LandmarkBenchArguments(string ModelsDirectory, string[] Videos, string[] Landmarks, double Fps, string JsonFile);

    public static Command Create()
    {
        var videos = new Option<string[]>("--videos") { Description = "Videos of one person each.", Required = true, AllowMultipleArgumentsPerToken = true };
        var landmarks = new Option<string[]>("--landmarks")
        {
            Description = $"Landmark finders to measure ({string.Join(", ", FaceLandmarkers.Names)}).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. FaceLandmarkers.Names],
        };
        var fps = new Option<double>("--fps") { Description = "Frames per second taken (0 = every frame).", DefaultValueFactory = _ => 0 };
        var models = CommonOptions.ModelsFolder();
        var json = CommonOptions.JsonResults("landmarks-bench.json");
        var command = new Command("landmarks", "Measure each landmark finder's jitter between video frames and its time per face.");
        foreach (var o in new Option[] { videos, landmarks, fps, models, json }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() => Run(new LandmarkBenchArguments(ModelDirectory.Locate(parse.GetValue(models)),
            parse.GetValue(videos)!, parse.GetValue(landmarks)!, parse.GetValue(fps), parse.GetValue(json)!))));
        return command;
    }

    private static int Run(LandmarkBenchArguments arguments)
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), arguments.ModelsDirectory, sessions);
        var finders = arguments.Landmarks.Select(n => FaceLandmarkers.Create(n, arguments.ModelsDirectory, sessions)).ToList();
        try
        {
            var time = finders.ToDictionary(f => f.Name, _ => TimeSpan.Zero);
            var jitter = finders.ToDictionary(f => f.Name, _ => new List<double>());
            var boxJitter = new List<double>();
            int frames = 0, faces = 0;
            foreach (var video in arguments.Videos)
            {
                // The last three frames' largest face (null: none), and each finder's points on it.
                var recent = new List<(BoxF Box, Dictionary<string, PointF[]> Points)?>();
                var source = new FfmpegFrameSource(new FrameSourceOptions(video) { MaxFps = arguments.Fps });
                foreach (var frame in source.FramesAsync().ToBlockingEnumerable())
                {
                    using (frame)
                    {
                        frames++;
                        var face = detector.Detect(frame.Image).MaxBy(d => d.Box.Area);
                        if (face is null)
                        {
                            recent.Add(null);
                        }
                        else
                        {
                            faces++;
                            var points = new Dictionary<string, PointF[]>();
                            foreach (var finder in finders)
                            {
                                var clock = Stopwatch.StartNew();
                                var found = finder.WithLandmarks(frame.Image, [face])[0];
                                time[finder.Name] += clock.Elapsed;
                                if (found.Landmarks is { } lm) points[finder.Name] = FaceAlignment.Pairs(lm).Face;
                            }
                            recent.Add((face.Box, points));
                        }
                    }
                    if (recent.Count > 3) recent.RemoveAt(0);
                    if (recent.Count == 3 && recent.All(r => r is not null)) Measure(recent.Select(r => r!.Value).ToList(), jitter, boxJitter);
                }
            }
            Console.WriteLine("| landmarks | ms per face | jitter, median (% of face width) | jitter, 95th percentile | frames measured |");
            Console.WriteLine("|---|---|---|---|---|");
            var rows = new List<object>();
            foreach (var finder in finders)
            {
                var j = jitter[finder.Name];
                double ms = time[finder.Name].TotalMilliseconds / Math.Max(1, faces);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {finder.Name} (its alignment points) | {ms:F2} | {Percentiles.Of(j, 0.5):F2} % | {Percentiles.Of(j, 0.95):F2} % | {j.Count} |"));
                rows.Add(new { landmarks = finder.Name, msPerFace = ms, jitterMedian = Percentiles.Of(j, 0.5), jitterP95 = Percentiles.Of(j, 0.95),
                    measured = j.Count });
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| detection box centre (for comparison) | – | {Percentiles.Of(boxJitter, 0.5):F2} % | {Percentiles.Of(boxJitter, 0.95):F2} % | "
                + $"{boxJitter.Count} |"));
            Console.Error.WriteLine($"landmarks: {frames} frames, {faces} with a face, {arguments.Videos.Length} videos");
            JsonResultsFile.Write(arguments.JsonFile, new
            {
                machine = MachineDescription.Current(), frames, faces, rows,
                box = new { jitterMedian = Percentiles.Of(boxJitter, 0.5), jitterP95 = Percentiles.Of(boxJitter, 0.95) },
            });
            return 0;
        }
        finally
        {
            foreach (var f in finders) f.Dispose();
        }
    }

    /// <summary>Second differences of three frames: each point's distance from the mean of its neighbours, averaged over the points.</summary>
    private static void Measure(List<(BoxF Box, Dictionary<string, PointF[]> Points)> three, Dictionary<string, List<double>> jitter, List<double> boxJitter)
    {
        double width = three[1].Box.Width;
        static double Off(PointF before, PointF now, PointF after)
            => Math.Sqrt(Math.Pow(now.X - (before.X + after.X) / 2, 2) + Math.Pow(now.Y - (before.Y + after.Y) / 2, 2));
        boxJitter.Add(100 * Off(Centre(three[0].Box), Centre(three[1].Box), Centre(three[2].Box)) / width);
        foreach (var (name, list) in jitter)
        {
            if (!three.All(t => t.Points.TryGetValue(name, out var p) && p.Length == three[0].Points[name].Length)) continue;
            var (a, b, c) = (three[0].Points[name], three[1].Points[name], three[2].Points[name]);
            list.Add(100 * Enumerable.Range(0, b.Length).Average(i => Off(a[i], b[i], c[i])) / width);
        }
    }

    private static PointF Centre(BoxF box) => new(box.CenterX, box.CenterY);
}

using System.CommandLine;
using FaceAge.Core.Analysis;
using FaceAge.Core.Imaging;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage analyze`: age and gender of every face in images, folders and videos, as JSON lines.</summary>
public static class AnalyzeCommand
{
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase) { ".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v" };

    public static Command Create()
    {
        var settings = new AnalysisSettings();
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders (images and videos inside) or video files.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Write JSON lines to this file instead of stdout." };
        var annotate = new Option<string?>("--annotate") { Description = "Write copies of the images (or video frames with faces) with boxes and labels into this folder." };
        var videoFps = new Option<double>("--video-fps") { Description = "Frames per second to analyse from videos.", DefaultValueFactory = _ => 2.0 };
        var nonFaces = new Option<NonFaces>("--non-faces") { Description = "Detections the face check says are no face (likelyFace false): drop them (default, chosen by `faceage bench precision`) or keep them, marked.", DefaultValueFactory = _ => NonFaces.Drop };

        var command = new Command("analyze", "Detect faces and estimate age and gender; one JSON line per face.");
        command.Arguments.Add(inputs);
        foreach (var o in new Option[] { output, annotate, videoFps, nonFaces }) command.Options.Add(o);
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Guard(() =>
        {
            var options = settings.Load(parse);
            var files = Expand(parse.GetValue(inputs)!, out var missing);
            foreach (var m in missing) Console.Error.WriteLine($"error: {m}: no such file or folder");
            if (parse.GetValue(videoFps) is <= 0 or > 120) throw new ArgumentException("--video-fps must be in (0, 120].");
            var annotateDir = parse.GetValue(annotate);
            if (annotateDir is not null) Directory.CreateDirectory(annotateDir);

            using var analyzer = FaceAnalyzer.Create(options, CliLogging.Factory);
            using var writer = parse.GetValue(output) is { } path ? new StreamWriter(path) : new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            var summary = new Summary { Failed = missing.Count, KeepNonFaces = parse.GetValue(nonFaces) == NonFaces.Keep };
            var progress = files.Count > 1 ? new ConsoleProgress("analyze", files.Count) : null;
            for (int i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = files[i];
                try
                {
                    if (VideoExtensions.Contains(Path.GetExtension(file)))
                        AnalyzeVideo(analyzer, file, parse.GetValue(videoFps), writer, annotateDir, summary, cancellationToken);
                    else
                        AnalyzeImage(analyzer, file, writer, annotateDir, summary);
                    summary.Files++;
                }
                catch (Exception e) when (e is ImageDecodeException or InvalidDataException or IOException or InvalidOperationException)
                {
                    summary.Failed++;
                    Console.Error.WriteLine($"error: {(e is ImageDecodeException ? e.Message : $"{file}: {e.Message}")}");
                }
                progress?.Report(i + 1);
            }
            writer.Flush();
            summary.Print();
            return summary.Failed > 0 ? 2 : 0;
        })));
        return command;
    }

    private static void AnalyzeImage(FaceAnalyzer analyzer, string file, StreamWriter writer, string? annotateDir, Summary summary)
    {
        using var image = ImageDecoder.DecodeFile(file);
        var faces = summary.Keep(analyzer.Analyze(image));
        for (int k = 0; k < faces.Count; k++) writer.WriteLine(FaceLine.From(file, null, null, k, faces[k]).ToJson());
        summary.Add(faces);
        if (annotateDir is not null)
        {
            ResultAnnotator.Draw(image, faces);
            Cv2.ImWrite(Path.Combine(annotateDir, Path.GetFileNameWithoutExtension(file) + ".jpg"), image);
        }
    }

    private static void AnalyzeVideo(FaceAnalyzer analyzer, string file, double fps, StreamWriter writer, string? annotateDir, Summary summary, CancellationToken cancellationToken)
    {
        var source = new FfmpegFrameSource(new FrameSourceOptions(file) { MaxFps = fps });
        ConsoleProgress? progress = null;
        int expected = 0, frames = 0;
        foreach (var frame in source.FramesAsync(cancellationToken).ToBlockingEnumerable(cancellationToken))
        {
            if (frames == 0 && source.Stream.Duration is { } d && (expected = (int)Math.Ceiling(d.TotalSeconds * source.FramesPerSecond)) > 0)
                progress = new ConsoleProgress(Path.GetFileName(file), expected);
            using (frame)
            {
                var faces = summary.Keep(analyzer.Analyze(frame.Image));
                for (int k = 0; k < faces.Count; k++) writer.WriteLine(FaceLine.From(file, frame.Index, frame.Time, k, faces[k]).ToJson());
                summary.Add(faces);
                if (annotateDir is not null && faces.Count > 0)
                {
                    ResultAnnotator.Draw(frame.Image, faces);
                    Cv2.ImWrite(Path.Combine(annotateDir, $"{Path.GetFileNameWithoutExtension(file)}_f{frame.Index:D6}.jpg"), frame.Image);
                }
            }
            progress?.Report(Math.Min(++frames, expected));
        }
        summary.VideoFrames += frames;
    }

    private static List<string> Expand(IEnumerable<string> inputs, out List<string> missing)
    {
        var files = new List<string>();
        missing = [];
        foreach (var input in inputs)
        {
            if (File.Exists(input)) files.Add(input);
            else if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => ImageDecoder.IsImageFile(f) || VideoExtensions.Contains(Path.GetExtension(f)))
                    .Order(StringComparer.Ordinal));
            else missing.Add(input);
        }
        return files;
    }

    public enum NonFaces { Drop, Keep }

    private sealed class Summary
    {
        public int Files, Failed, Faces, Female, Male, VideoFrames, Dropped;
        public bool KeepNonFaces;

        /// <summary>The faces to report: without the likely non-faces unless they are kept.</summary>
        public IReadOnlyList<FaceResult> Keep(IReadOnlyList<FaceResult> faces)
        {
            if (KeepNonFaces) return faces;
            var kept = faces.Where(f => f.LikelyFace).ToList();
            Dropped += faces.Count - kept.Count;
            return kept;
        }
        private double _ageSum;

        public void Add(IReadOnlyList<FaceResult> faces)
        {
            Faces += faces.Count;
            foreach (var f in faces)
            {
                if (f.Gender == Gender.Female) Female++; else Male++;
                _ageSum += f.Age;
            }
        }

        public void Print()
        {
            var mean = Faces > 0 ? $"{_ageSum / Faces:0.0}" : "-";
            var frames = VideoFrames > 0 ? $", {VideoFrames} video frames" : "";
            var dropped = Dropped > 0 ? $"; {Dropped} detection(s) dropped as no face (--non-faces keep shows them)" : "";
            Console.Error.WriteLine($"summary: {Files} file(s) analysed{frames}, {Failed} failed; {Faces} face(s): {Female} female, {Male} male; mean age {mean}{dropped}");
        }
    }
}

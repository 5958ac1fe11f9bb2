using System.CommandLine;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Imaging;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage analyze`: age and gender of every face in images, folders and videos, as JSON lines.</summary>
public static class AnalyzeCommand
{
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase) { ".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v" };

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("analyze", "Detect faces and estimate age and gender; one JSON line per face.");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Guard(() => Run(options.Read(parse), cancellationToken))));
        return command;
    }

    public enum NonFaces { Drop, Keep }

    /// <param name="Files">The image and video files of the inputs, folders expanded.</param>
    /// <param name="Missing">How many inputs do not exist (each reported on stderr already).</param>
    private sealed record AnalyzeArguments(
        AnalyzerOptions Analysis, IReadOnlyList<string> Files, int Missing, string? OutputFile, string? AnnotateFolder, double VideoFps, bool KeepNonFaces);

    /// <summary>
    /// Where the faces of a file go: JSON lines (with each face's head pose when the pose model is there), the annotated copies, the summary.
    /// </summary>
    private sealed record FaceOutput(FaceAnalyzer Analyzer, HeadPoseModel? Poses, StreamWriter Writer, string? AnnotateFolder, Summary Summary)
    {
        public void WriteLines(Mat image, string file, long? frame, TimeSpan? time, IReadOnlyList<FaceResult> faces)
        {
            for (int k = 0; k < faces.Count; k++)
                Writer.WriteLine(FaceLine.From(file, frame, time, k, faces[k], Poses?.Estimate(image, faces[k].Detection.Box)).ToJson());
        }
    }

    private sealed class Options
    {
        private readonly AnalysisSettings _settings = new();

        private readonly Argument<string[]> _inputs = new("inputs")
        {
            Description = "Image files, folders (images and videos inside) or video files.",
            Arity = ArgumentArity.OneOrMore,
        };

        private readonly Option<string?> _output = CommonOptions.JsonLinesFile();

        private readonly Option<string?> _annotate = new("--annotate")
        {
            Description = "Write copies of the images (or video frames with faces) with boxes and labels into this folder.",
        };

        private readonly Option<double> _videoFps = new("--video-fps")
        {
            Description = "Frames per second to analyse from videos.",
            DefaultValueFactory = _ => 2.0,
        };

        private readonly Option<NonFaces> _nonFaces = new("--non-faces")
        {
            Description = "Detections the face check says are no face (likelyFace false): drop them (default, chosen by `faceage bench precision`) "
                + "or keep them, marked.",
            DefaultValueFactory = _ => NonFaces.Drop,
        };

        public void AddTo(Command command)
        {
            command.Arguments.Add(_inputs);
            foreach (var o in new Option[] { _output, _annotate, _videoFps, _nonFaces }) command.Options.Add(o);
            _settings.AddTo(command);
        }

        public AnalyzeArguments Read(ParseResult parse)
        {
            var analysis = _settings.Load(parse);
            var files = Expand(parse.GetValue(_inputs)!, out var missing);
            // A missing input is reported, not fatal: the others are still analysed (exit code 2).
            foreach (var m in missing) Console.Error.WriteLine($"error: {m}: no such file or folder");
            double videoFps = parse.GetValue(_videoFps);
            if (videoFps is <= 0 or > 120) throw new ArgumentException("--video-fps must be in (0, 120].");
            return new AnalyzeArguments(analysis, files, missing.Count, parse.GetValue(_output), parse.GetValue(_annotate), videoFps,
                parse.GetValue(_nonFaces) == NonFaces.Keep);
        }
    }

    private static int Run(AnalyzeArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.AnnotateFolder is { } annotateFolder) Directory.CreateDirectory(annotateFolder);
        using var analyzer = FaceAnalyzer.Create(arguments.Analysis, CliLogging.Factory);
        using var poses = HeadPoses(arguments.Analysis, analyzer);
        using var writer = JsonLinesOutput.Open(arguments.OutputFile);
        var summary = new Summary { Failed = arguments.Missing, KeepNonFaces = arguments.KeepNonFaces };
        var output = new FaceOutput(analyzer, poses, writer, arguments.AnnotateFolder, summary);
        var files = arguments.Files;
        var progress = files.Count > 1 ? new ConsoleProgress("analyze", files.Count) : null;
        for (int i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AnalyzeFile(output, files[i], arguments.VideoFps, cancellationToken);
            progress?.Report(i + 1);
        }
        writer.Flush();
        summary.Print();
        return summary.Failed > 0 ? 2 : 0;
    }

    /// <summary>The head-pose network; without its file the lines carry no pose (said once).</summary>
    private static HeadPoseModel? HeadPoses(AnalyzerOptions analysis, FaceAnalyzer analyzer)
    {
        var file = Path.Combine(ModelDirectory.Locate(analysis.ModelsDirectory), HeadPoseModel.File);
        if (File.Exists(file)) return new HeadPoseModel(analyzer.Sessions.Create(file));
        Console.Error.WriteLine($"warning: {file} not found: no head pose (yaw, pitch, roll) in the output; `faceage models setup` builds it");
        return null;
    }

    /// <summary>One image or video; a file that cannot be read is counted and reported, and the run goes on.</summary>
    private static void AnalyzeFile(FaceOutput output, string file, double videoFps, CancellationToken cancellationToken)
    {
        try
        {
            if (VideoExtensions.Contains(Path.GetExtension(file))) AnalyzeVideo(output, file, videoFps, cancellationToken);
            else AnalyzeImage(output, file);
            output.Summary.Files++;
        }
        catch (Exception e) when (e is ImageDecodeException or InvalidDataException or IOException or InvalidOperationException)
        {
            output.Summary.Failed++;
            Console.Error.WriteLine($"error: {(e is ImageDecodeException ? e.Message : $"{file}: {e.Message}")}");
        }
    }

    private static void AnalyzeImage(FaceOutput output, string file)
    {
        using var image = ImageDecoder.DecodeFile(file);
        var faces = output.Summary.Keep(output.Analyzer.Analyze(image));
        output.WriteLines(image, file, null, null, faces);
        output.Summary.Add(faces);
        if (output.AnnotateFolder is not null)
        {
            ResultAnnotator.Draw(image, faces);
            Cv2.ImWrite(Path.Combine(output.AnnotateFolder, Path.GetFileNameWithoutExtension(file) + ".jpg"), image);
        }
    }

    private static void AnalyzeVideo(FaceOutput output, string file, double fps, CancellationToken cancellationToken)
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
                var faces = output.Summary.Keep(output.Analyzer.Analyze(frame.Image));
                output.WriteLines(frame.Image, file, frame.Index, frame.Time, faces);
                output.Summary.Add(faces);
                if (output.AnnotateFolder is not null && faces.Count > 0)
                {
                    ResultAnnotator.Draw(frame.Image, faces);
                    Cv2.ImWrite(Path.Combine(output.AnnotateFolder, $"{Path.GetFileNameWithoutExtension(file)}_f{frame.Index:D6}.jpg"), frame.Image);
                }
            }
            progress?.Report(Math.Min(++frames, expected));
        }
        output.Summary.VideoFrames += frames;
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

    private sealed class Summary
    {
        public int Files, Failed, Faces, Female, Male, VideoFrames, Dropped;
        public bool KeepNonFaces;
        private double _ageSum;

        /// <summary>The faces to report: without the likely non-faces unless they are kept.</summary>
        public IReadOnlyList<FaceResult> Keep(IReadOnlyList<FaceResult> faces)
        {
            if (KeepNonFaces) return faces;
            var kept = faces.Where(f => f.LikelyFace).ToList();
            Dropped += faces.Count - kept.Count;
            return kept;
        }

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
            Console.Error.WriteLine(
                $"summary: {Files} file(s) analysed{frames}, {Failed} failed; {Faces} face(s): {Female} female, {Male} male; mean age {mean}{dropped}");
        }
    }
}

using System.CommandLine;
using System.Text.Json;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Verification;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage compare A B`: is a face in A the same person as a face in B? A and B are images or folders of images;
/// every face of every image of A is compared with every face of every image of B: one JSON line per pair with the
/// similarity, the decision and its confidence from the calibration `faceage bench verify` chose (Analysis:Verification).
/// Nothing is stored: embeddings live in memory for the run only.
/// </summary>
public static class CompareCommand
{
    private sealed record Face(string Source, int Index, FaceDetection Detection, float[] Embedding);

    private sealed record PairLine(
        string A, int FaceA, FaceLine.BoxJson BoxA, string B, int FaceB, FaceLine.BoxJson BoxB,
        double Similarity, bool Same, double SameProbability, double Confidence);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("compare", "Are these two faces the same person? One JSON line per face pair: similarity, decision, confidence.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <param name="CalibrationFile">--calibration; null = the settings' Analysis:Verification.</param>
    private sealed record CompareArguments(AnalyzerOptions Analysis, string First, string Second, string? OutputFile, string? CalibrationFile);

    private sealed class Options
    {
        private readonly AnalysisSettings _settings = new();
        private readonly Argument<string> _first = new("a") { Description = "An image or a folder of images." };
        private readonly Argument<string> _second = new("b") { Description = "An image or a folder of images." };
        private readonly Option<string?> _output = CommonOptions.JsonLinesFile();

        private readonly Option<string?> _calibration = new("--calibration")
        {
            Description = "Verification calibration JSON (default Analysis:Verification, heads/verification.json).",
        };

        public void AddTo(Command command)
        {
            command.Arguments.Add(_first);
            command.Arguments.Add(_second);
            foreach (var o in new Option[] { _output, _calibration }) command.Options.Add(o);
            _settings.AddTo(command);
        }

        public CompareArguments Read(ParseResult parse) => new(
            _settings.Load(parse), parse.GetValue(_first)!, parse.GetValue(_second)!, parse.GetValue(_output), parse.GetValue(_calibration));
    }

    private static int Run(CompareArguments arguments)
    {
        var options = arguments.Analysis;
        var modelsDir = ModelDirectory.Locate(options.ModelsDirectory is { Length: > 0 } m ? m : null);
        var calibration = LoadCalibration(arguments.CalibrationFile ?? options.Verification, modelsDir);
        var sessions = new OnnxSessionFactory(options.Inference);
        using var detector = DetectorRegistry.Create(options.Detector, modelsDir, sessions);
        using var landmarks = FaceLandmarkers.Create(calibration.Landmarks, modelsDir, sessions);
        using var embedder = FaceEmbedders.Create(calibration.Embedding, modelsDir, sessions);

        var collector = new FaceCollector(detector, landmarks, embedder);
        var a = collector.Collect(arguments.First);
        var b = collector.Collect(arguments.Second);
        using var writer = JsonLinesOutput.Open(arguments.OutputFile);
        var (pairs, same) = WritePairs(writer, a, b, calibration);
        Console.Error.WriteLine($"summary: {a.Count} face(s) in A, {b.Count} in B; {pairs} pair(s), {same} the same person " +
            $"({calibration.Embedding}, threshold {calibration.Threshold} = {calibration.FalseAcceptRate:P1} false accepts on the bench), " +
            $"{collector.Failed} failed");
        return collector.Failed > 0 ? 2 : 0;
    }

    /// <summary>A calibration file as given (a path), else in the models folder.</summary>
    private static VerificationCalibration LoadCalibration(string file, string modelsDir)
        => VerificationCalibration.Load(Path.IsPathRooted(file) || File.Exists(file) ? file : ModelDirectory.Require(modelsDir, file));

    /// <summary>One JSON line per pair of a face of A and a face of B.</summary>
    private static (int Pairs, int Same) WritePairs(StreamWriter writer, List<Face> a, List<Face> b, VerificationCalibration calibration)
    {
        int same = 0, pairs = 0;
        foreach (var x in a)
            foreach (var y in b)
            {
                double similarity = calibration.Similarity(x.Embedding, y.Embedding);
                bool isSame = similarity >= calibration.Threshold;
                double p = calibration.SameProbability(similarity);
                var line = new PairLine(x.Source, x.Index, FaceLine.BoxJson.Of(x.Detection), y.Source, y.Index, FaceLine.BoxJson.Of(y.Detection),
                    Math.Round(similarity, 4), isSame, Math.Round(p, 3), Math.Round(isSame ? p : 1 - p, 3));
                writer.WriteLine(JsonSerializer.Serialize(line, Json));
                pairs++;
                if (isSame) same++;
            }
        writer.Flush();
        return (pairs, same);
    }

    /// <summary>The faces of an image or of every image of a folder, with their embeddings; unreadable images are counted.</summary>
    private sealed class FaceCollector(IFaceDetector detector, IFaceLandmarker landmarks, IFaceEmbedder embedder)
    {
        public int Failed { get; private set; }

        public List<Face> Collect(string input)
        {
            var files = Directory.Exists(input)
                ? Directory.EnumerateFiles(input).Where(f => ImageDecoder.IsImageFile(f)).Order(StringComparer.Ordinal).ToList()
                : File.Exists(input) ? [input] : throw new FileNotFoundException($"{input}: no such file or folder", input);
            var faces = new List<Face>();
            foreach (var file in files)
            {
                try
                {
                    faces.AddRange(FacesOf(file));
                }
                catch (Exception e) when (e is ImageDecodeException or IOException)
                {
                    Failed++;
                    Console.Error.WriteLine($"error: {(e is ImageDecodeException ? e.Message : $"{file}: {e.Message}")}");
                }
            }
            return faces;
        }

        private List<Face> FacesOf(string file)
        {
            using var image = ImageDecoder.DecodeFile(file);
            var found = landmarks.WithLandmarks(image, detector.Detect(image));
            var embeddings = embedder.Embed(image, found);
            if (found.Count == 0) Console.Error.WriteLine($"note: {file}: no face found");
            return found.Select((d, i) => new Face(file, i, d, embeddings[i])).ToList();
        }
    }
}

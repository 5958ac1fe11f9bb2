using System.CommandLine;
using System.Text.Json;
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
    private sealed record BoxJson(int X, int Y, int Width, int Height);
    private sealed record PairLine(string A, int FaceA, BoxJson BoxA, string B, int FaceB, BoxJson BoxB, double Similarity, bool Same, double SameProbability, double Confidence);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var settings = new AnalysisSettings();
        var first = new Argument<string>("a") { Description = "An image or a folder of images." };
        var second = new Argument<string>("b") { Description = "An image or a folder of images." };
        var output = new Option<string?>("--out") { Description = "Write JSON lines to this file instead of stdout." };
        var calibration = new Option<string?>("--calibration") { Description = "Verification calibration JSON (default Analysis:Verification, heads/verification.json)." };

        var command = new Command("compare", "Are these two faces the same person? One JSON line per face pair: similarity, decision, confidence.");
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        foreach (var o in new Option[] { output, calibration }) command.Options.Add(o);
        settings.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var options = settings.Load(parse);
            var modelsDir = ModelDirectory.Locate(options.ModelsDirectory is { Length: > 0 } m ? m : null);
            var calibrationFile = parse.GetValue(calibration) ?? options.Verification;
            var cal = VerificationCalibration.Load(Path.IsPathRooted(calibrationFile) || File.Exists(calibrationFile) ? calibrationFile : ModelDirectory.Require(modelsDir, calibrationFile));
            var sessions = new OnnxSessionFactory(options.Inference);
            using var detector = DetectorRegistry.Create(options.Detector, modelsDir, sessions);
            using var landmarks = Landmarks(modelsDir, sessions);
            using var embedder = FaceEmbedders.Create(cal.Embedding, modelsDir, sessions);

            int failed = 0;
            List<Face> Collect(string input)
            {
                var files = Directory.Exists(input)
                    ? Directory.EnumerateFiles(input).Where(f => ImageDecoder.IsImageFile(f)).Order(StringComparer.Ordinal).ToList()
                    : File.Exists(input) ? [input] : throw new FileNotFoundException($"{input}: no such file or folder", input);
                var faces = new List<Face>();
                foreach (var file in files)
                {
                    try
                    {
                        using var image = ImageDecoder.DecodeFile(file);
                        var found = detector.Detect(image).Select(d => landmarks.WithLandmarks(image, d)).ToList();
                        var embeddings = embedder.Embed(image, found);
                        for (int i = 0; i < found.Count; i++) faces.Add(new Face(file, i, found[i], embeddings[i]));
                        if (found.Count == 0) Console.Error.WriteLine($"note: {file}: no face found");
                    }
                    catch (Exception e) when (e is ImageDecodeException or IOException)
                    {
                        failed++;
                        Console.Error.WriteLine($"error: {(e is ImageDecodeException ? e.Message : $"{file}: {e.Message}")}");
                    }
                }
                return faces;
            }
            var a = Collect(parse.GetValue(first)!);
            var b = Collect(parse.GetValue(second)!);

            using var writer = parse.GetValue(output) is { } path ? new StreamWriter(path) : new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            int same = 0, pairs = 0;
            foreach (var x in a)
                foreach (var y in b)
                {
                    double similarity = cal.Similarity(x.Embedding, y.Embedding);
                    bool isSame = similarity >= cal.Threshold;
                    double p = cal.SameProbability(similarity);
                    writer.WriteLine(JsonSerializer.Serialize(new PairLine(x.Source, x.Index, Box(x.Detection), y.Source, y.Index, Box(y.Detection),
                        Math.Round(similarity, 4), isSame, Math.Round(p, 3), Math.Round(isSame ? p : 1 - p, 3)), Json));
                    pairs++;
                    if (isSame) same++;
                }
            writer.Flush();
            Console.Error.WriteLine($"summary: {a.Count} face(s) in A, {b.Count} in B; {pairs} pair(s), {same} the same person " +
                $"({cal.Embedding}, threshold {cal.Threshold} = {cal.FalseAcceptRate:P1} false accepts on the bench), {failed} failed");
            return failed > 0 ? 2 : 0;
        }));
        return command;
    }

    /// <summary>BlazeFace (back model) for the landmarks that align recognition crops; shared with `bench verify`.</summary>
    public static LandmarkFinder Landmarks(string modelsDir, OnnxSessionFactory sessions)
        => new(DetectorRegistry.Create(new DetectorOptions { Kind = BlazeFaceDetector.BackDefinition.Name, Tiles = 1, ScoreThreshold = 0.5f }, modelsDir, sessions));

    private static BoxJson Box(FaceDetection d) => new((int)d.Box.X, (int)d.Box.Y, (int)d.Box.Width, (int)d.Box.Height);
}

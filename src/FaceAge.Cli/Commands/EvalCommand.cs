using System.CommandLine;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;
using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage eval`: age/gender accuracy on a labelled data set.</summary>
public static class EvalCommand
{
    public enum Mode { Aligned, Detect }

    public static Command Create()
    {
        var settings = new AnalysisSettings();
        var labels = new Option<string>("--labels") { Description = "Labels: a CSV (path,age,gender or path,age_group,gender; paths relative to the CSV), a folder of UTKFace-named images (age_gender_race_date.jpg), or a folder with one sub-folder per age.", Required = true };
        var mode = new Option<Mode>("--mode") { Description = "Aligned: images are face crops (no detection). Detect: find the largest face first; misses are counted.", DefaultValueFactory = _ => Mode.Aligned };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N rows (after shuffling with --seed)." };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed used with --limit.", DefaultValueFactory = _ => 1 };
        var view = new Option<float>("--view") { Description = "Aligned mode: crop side as a multiple of the image side, centred (1 = whole image; the default 1.4 adds 20 % replicated border per side, the best MAE on utkface-dev).", DefaultValueFactory = _ => 1.4f };
        var predictionsFile = new Option<string?>("--predictions") { Description = "Also write one CSV row per image: path, true and predicted age, true gender, P(male)." };
        var json = new Option<string>("--json") { Description = "Where to write the JSON summary.", DefaultValueFactory = _ => "eval-summary.json" };
        var report = new Option<string?>("--report") { Description = "Also write a report folder: report.md and PNG plots (predicted vs true age, MAE by decade, gender calibration)." };
        var compare = new Option<string?>("--compare") { Description = "A second age/gender model (file in the models folder, or a path) run on the same images; results side by side." };
        var compareHead = new Option<string?>("--compare-head") { Description = "The second configuration's trained head ('none' = the model's own outputs); with or without --compare." };

        var command = new Command("eval", "Measure age MAE, RMSE, R², CS@5 and gender accuracy on a labelled data set.");
        foreach (var o in new Option[] { labels, mode, limit, seed, view, predictionsFile, json, report, compare, compareHead }) command.Options.Add(o);
        settings.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var options = settings.Load(parse);
            var (faces, errors) = LabelSource.Read(parse.GetValue(labels)!);
            foreach (var e in errors.Take(20)) Console.Error.WriteLine(e.Line > 0 ? $"warning: {parse.GetValue(labels)}:{e.Line}: {e.Message}" : $"warning: {parse.GetValue(labels)}: {e.Message}");
            if (errors.Count > 20) Console.Error.WriteLine($"warning: {errors.Count - 20} more label problem(s)");
            if (parse.GetValue(limit) is { } n)
                faces = faces.Shuffled(parse.GetValue(seed)).Take(n).ToList();

            float keep = parse.GetValue(view);
            if (keep is <= 0.2f or > 2f) throw new ArgumentException($"--view must be in (0.2, 2], got {keep}.");
            static string NameOf(AnalyzerOptions o) => Path.GetFileNameWithoutExtension(o.AgeGenderModel) + (o.AgeGenderHead is { } h ? " + " + Path.GetFileNameWithoutExtension(h) : "");
            var configurations = new List<(string Name, AnalyzerOptions Options)> { (NameOf(options), options) };
            if (parse.GetValue(compare) is not null || parse.GetValue(compareHead) is not null)
            {
                var second = options with { AgeGenderModel = parse.GetValue(compare) ?? options.AgeGenderModel };
                if (parse.GetValue(compareHead) is { } h) second = second with { AgeGenderHead = h.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : h };
                configurations.Add((NameOf(second), second));
            }

            var runs = new List<EvalReport.Run>();
            var summaries = new List<object>();
            int failures = 0;
            string? detectorName = null;
            foreach (var (name, config) in configurations)
            {
                using var analyzer = FaceAnalyzer.Create(config, CliLogging.Factory);
                detectorName = analyzer.DetectorName;
                if (configurations.Count > 1) Console.Error.WriteLine($"eval: {name}");
                var (predictions, misses, failed) = Run(analyzer, faces, parse.GetValue(mode), keep);
                failures = Math.Max(failures, failed);
                var metrics = AgeGenderMetrics.Compute(predictions.Select(p => p.Prediction).ToList(), misses);
                runs.Add(new EvalReport.Run(name, metrics, predictions.Select(p => p.Prediction).ToList()));
                summaries.Add(new { name, model = config.AgeGenderModel, head = config.AgeGenderHead, metrics });
                if (runs.Count == 1 && parse.GetValue(predictionsFile) is { } csv)
                    File.WriteAllLines(csv, predictions.Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{p.Path},{p.Prediction.TrueAge},{p.Prediction.PredictedAge:0.00},{p.Prediction.TrueGender},{p.Prediction.MaleProbability:0.0000}")).Prepend("path,true_age,predicted_age,true_gender,p_male"));
            }
            Print(runs[0].Metrics, failures);
            if (runs.Count > 1) Console.WriteLine(Environment.NewLine + EvalReport.Table(runs));
            var summary = new
            {
                labels = Path.GetFullPath(parse.GetValue(labels)!),
                mode = parse.GetValue(mode).ToString(),
                detector = parse.GetValue(mode) == Mode.Detect ? detectorName : null,
                cropMargin = options.CropMargin,
                view = keep,
                model = options.AgeGenderModel,
                head = options.AgeGenderHead,
                flip = options.FlipAugmentation,
                unreadable = failures,
                labelErrors = errors.Count,
                metrics = runs[0].Metrics,
                compared = summaries.Count > 1 ? summaries : null,
            };
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"summary written to {parse.GetValue(json)}");
            if (parse.GetValue(report) is { } folder)
            {
                EvalReport.Write(folder, Path.GetFullPath(parse.GetValue(labels)!), runs);
                Console.WriteLine($"report written to {Path.Combine(folder, "report.md")}");
            }
            return failures > 0 ? 2 : 0;
        }));
        return command;
    }

    private static (List<(string Path, Prediction Prediction)> Predictions, int Misses, int Failures) Run(FaceAnalyzer analyzer, List<LabeledFace> faces, Mode mode, float view)
    {
        var predictions = new List<(string, Prediction)>(faces.Count);
        int misses = 0, failures = 0;
        var progress = new ConsoleProgress("eval", faces.Count);
        int batch = analyzer.Options.MaxBatchSize;
        var cropper = new FaceCropper(analyzer.Options.CropMargin, analyzer.Options.AlignByLandmarks);
        var groups = new AgeGroups(analyzer.Options.EffectiveAgeGroups);
        for (int start = 0; start < faces.Count; start += batch)
        {
            var chunk = faces.Skip(start).Take(batch).ToList();
            // Decode and crop in parallel; the model then sees the whole chunk in one run.
            var crops = new Mat?[chunk.Count];
            var missed = new bool[chunk.Count];
            Parallel.For(0, chunk.Count, i =>
            {
                try
                {
                    using var image = ImageDecoder.DecodeFile(chunk[i].Path);
                    if (mode == Mode.Aligned)
                    {
                        // The whole chip is the "face box"; a view factor > 1 adds border, < 1 zooms in.
                        var whole = new FaceDetection(new BoxF(0, 0, image.Width, image.Height), 1f);
                        crops[i] = new FaceCropper((view - 1) / 2, alignByEyes: false).Crop(image, whole, FaceResEstimator.InputSize);
                    }
                    else
                    {
                        var largest = analyzer.Detect(image).OrderByDescending(d => d.Box.Area).FirstOrDefault();
                        if (largest is null) missed[i] = true;
                        else crops[i] = cropper.Crop(image, largest, FaceResEstimator.InputSize);
                    }
                }
                catch (ImageDecodeException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                }
            });
            misses += missed.Count(m => m);
            failures += crops.Select((c, i) => c is null && !missed[i]).Count(f => f);
            var ready = crops.Select((c, i) => (c, i)).Where(p => p.c is not null).ToList();
            var attributes = analyzer.Estimator.Estimate(ready.Select(p => p.c!).ToList());
            for (int k = 0; k < ready.Count; k++)
            {
                var face = chunk[ready[k].i];
                var a = attributes[k];
                predictions.Add((face.Path, new Prediction(face.Age, face.Gender, a.Age.Mean, a.MaleProbability >= 0.5f ? Gender.Male : Gender.Female, a.MaleProbability,
                    face.AgeGroup, face.AgeGroup is null ? null : groups.Of(a.Age.Mean))));
            }
            foreach (var c in crops) c?.Dispose();
            progress.Report(Math.Min(faces.Count, start + batch));
        }
        return (predictions, misses, failures);
    }

    internal static void Print(AgeGenderMetrics m, int failures)
    {
        Console.WriteLine($"n                 {m.N}");
        Console.WriteLine($"misses            {m.Misses}");
        Console.WriteLine($"unreadable        {failures}");
        Console.WriteLine($"age MAE           {m.Mae:0.00}");
        Console.WriteLine($"age RMSE          {m.Rmse:0.00}");
        Console.WriteLine($"age R²            {m.R2:0.000}");
        Console.WriteLine($"CS@5              {m.CumulativeScore5:P1}");
        Console.WriteLine($"mean signed error {m.MeanSignedError:+0.00;-0.00}");
        Console.WriteLine($"gender accuracy   {m.GenderAccuracy:P1} (n={m.GenderN})");
        foreach (var g in m.ByGender)
            Console.WriteLine($"{g.Gender,-6} n={g.N,-5} MAE {g.Mae,5:0.00}  signed {g.MeanSignedError,6:+0.00;-0.00}  called the other gender {g.ErrorRate:P1}");
        if (m.AgeGroupAccuracy is { } groupAccuracy) Console.WriteLine($"age group accuracy {groupAccuracy:P1} (n={m.AgeGroupN})");
        Console.WriteLine("MAE per decade:");
        foreach (var d in m.ByDecade)
            Console.WriteLine($"  {d.Decade,-7} n={d.N,-5} MAE {d.Mae,5:0.00}  signed {d.MeanSignedError,6:+0.00;-0.00}");
    }

    private static List<T> Shuffled<T>(this List<T> items, int seed)
    {
        var random = new Random(seed);
        var copy = items.ToList();
        for (int i = copy.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Evaluation;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage eval`: age/gender accuracy on a labelled data set.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var settings = new AnalysisSettings();
        var labels = new Option<string[]>("--labels") { Description = "Labels, one or more data sets: a CSV (header 'path' and any of 'age', 'age_group', 'gender', 'subject'; paths relative to the CSV), a folder of UTKFace-named images (age_gender_race_date.jpg), or a folder with one sub-folder per age. Several give one row per data set in a cross-dataset table.", Required = true, AllowMultipleArgumentsPerToken = true };
        var mode = new Option<CropMode[]>("--mode") { Description = "Per data set (one value for all, or one per --labels): Aligned: images are face crops (no detection). Detect: find the largest face first; misses are counted.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [CropMode.Aligned] };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N rows of each data set (after shuffling with --seed)." };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed used with --limit.", DefaultValueFactory = _ => 1 };
        var view = new Option<float>("--view") { Description = "Aligned mode: crop side as a multiple of the image side, centred (1 = whole image; the default 1.4 adds 20 % replicated border per side, the best MAE on utkface-dev).", DefaultValueFactory = _ => 1.4f };
        var predictionsFile = new Option<string?>("--predictions") { Description = "Also write one CSV row per image: data set, path, subject, true age or group, predicted age and its ±, true gender, P(male), and where the face crop lies in the image (centre, side, rotation)." };
        var json = new Option<string>("--json") { Description = "Where to write the JSON summary.", DefaultValueFactory = _ => "eval-summary.json" };
        var report = new Option<string?>("--report") { Description = "Also write a report folder: report.md and PNG plots (predicted vs true age, MAE by decade, gender calibration)." };
        var compare = new Option<string?>("--compare") { Description = "A second age/gender model (file in the models folder, or a path) run on the same images; results side by side." };
        var compareHead = new Option<string?>("--compare-head") { Description = "The second configuration's trained head ('none' = the model's own outputs); with or without --compare." };
        var own = new Option<string[]>("--own") { Description = $"Also score these face models' own age/gender outputs on the same crops, one configuration each ({string.Join(", ", FaceModelRegistry.All.Select(m => m.Name))}).", AllowMultipleArgumentsPerToken = true };

        var command = new Command("eval", "Measure age MAE, RMSE, R², CS@5, age-group hits, gender accuracy and the coverage of the stated ± on one or more labelled data sets.");
        foreach (var o in new Option[] { labels, mode, limit, seed, view, predictionsFile, json, report, compare, compareHead, own }) command.Options.Add(o);
        settings.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var options = settings.Load(parse);
            float keep = parse.GetValue(view);
            if (keep is <= 0.2f or > 2f) throw new ArgumentException($"--view must be in (0.2, 2], got {keep}.");
            var datasets = LabeledDataset.Read(parse.GetValue(labels)!, parse.GetValue(mode)!, w => Console.Error.WriteLine($"warning: {w}"));
            if (parse.GetValue(limit) is { } n)
                datasets = datasets.Select(d => d with { Faces = d.Faces.Shuffled(parse.GetValue(seed)).Take(n).ToList() }).ToList();

            static string NameOf(AnalyzerOptions o) => Path.GetFileNameWithoutExtension(o.AgeGenderModel) + (o.AgeGenderHead is { Length: > 0 } h ? " + " + Path.GetFileNameWithoutExtension(h) : "");
            var configurations = new List<(string Name, AnalyzerOptions Options, FaceModelDefinition? Own)> { (NameOf(options), options, null) };
            if (parse.GetValue(compare) is not null || parse.GetValue(compareHead) is not null)
            {
                var second = options with { AgeGenderModel = parse.GetValue(compare) ?? options.AgeGenderModel };
                if (parse.GetValue(compareHead) is { } h) second = second with { AgeGenderHead = h.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : h };
                configurations.Add((NameOf(second), second, null));
            }
            foreach (var name in parse.GetValue(own) ?? [])
            {
                var model = FaceModelRegistry.Require(name);
                configurations.Add((model.Name + " (own outputs)", options, model));
            }

            // runs[d][c]: data set d, configuration c.
            var runs = datasets.Select(_ => new List<EvalReport.Run>()).ToList();
            var costs = datasets.Select(_ => new List<double>()).ToList();
            var failures = new int[datasets.Count];
            var firstPredictions = new List<(LabeledDataset Dataset, LabeledFace Face, Prediction Prediction, FaceCropper.Square Square)>();
            string? detectorName = null;
            foreach (var (name, config, ownModel) in configurations)
            {
                using var analyzer = FaceAnalyzer.Create(config, CliLogging.Factory);
                using var runner = ownModel is null ? null : new FaceModelRunner(ownModel,
                    new OnnxSessionFactory(config.Inference).Create(ModelDirectory.Require(ModelDirectory.Locate(config.ModelsDirectory), ownModel.File)));
                Func<IReadOnlyList<Mat>, IReadOnlyList<Estimate>> estimate = runner is null
                    ? crops => analyzer.Estimator.Estimate(crops).Select(a => new Estimate(a.Age.Mean, a.MaleProbability, a.AgeUncertainty)).ToList()
                    : crops => runner.Estimate(crops, config.FlipAugmentation).Select(e => new Estimate(e.Age, e.MaleProbability, e.Distribution?.StandardDeviation)).ToList();
                detectorName = analyzer.DetectorName;
                for (int d = 0; d < datasets.Count; d++)
                {
                    var set = datasets[d];
                    if (configurations.Count > 1 || datasets.Count > 1) Console.Error.WriteLine($"eval: {name} on {set.Name} ({set.Mode.ToString().ToLowerInvariant()})");
                    // Cost per face of the age/gender step alone (crops in, estimates out; flip included), beside its accuracy.
                    var clock = new Stopwatch();
                    int estimated = 0;
                    IReadOnlyList<Estimate> Timed(IReadOnlyList<Mat> crops)
                    {
                        clock.Start();
                        try { return estimate(crops); }
                        finally { clock.Stop(); estimated += crops.Count; }
                    }
                    var (predictions, misses, failed) = Run(FaceCropSource.For(set.Mode, analyzer, keep), analyzer.Options.MaxBatchSize, Timed, set.Faces);
                    failures[d] = Math.Max(failures[d], failed);
                    var list = predictions.Select(p => p.Prediction).ToList();
                    double msPerFace = clock.Elapsed.TotalMilliseconds / Math.Max(1, estimated);
                    costs[d].Add(msPerFace);
                    runs[d].Add(new EvalReport.Run(name, AgeGenderMetrics.Compute(list, misses), list));
                    if (runs[d].Count == 1) firstPredictions.AddRange(predictions.Select(p => (set, p.Face, p.Prediction, p.Square)));
                }
            }
            for (int d = 0; d < datasets.Count; d++)
            {
                if (datasets.Count > 1) Console.WriteLine($"{(d > 0 ? Environment.NewLine : "")}== {datasets[d].Name} ({datasets[d].Mode.ToString().ToLowerInvariant()}, {configurations[0].Name})");
                Print(runs[d][0].Metrics, failures[d]);
                if (configurations.Count > 1) Console.WriteLine(Environment.NewLine + EvalReport.Table(runs[d]));
            }
            if (datasets.Count > 1)
                Console.WriteLine(Environment.NewLine + EvalReport.CrossDatasetTable(datasets.Select((set, d) => (set.Name, (IReadOnlyList<EvalReport.Run>)runs[d])).ToList()));
            Console.WriteLine(Environment.NewLine + "age/gender cost per face (crops in, estimates out; this machine, " + (options.FlipAugmentation ? "with" : "without") + " flip):");
            for (int c = 0; c < configurations.Count; c++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {configurations[c].Name}: {costs.Select(k => k[c]).Average():0.0} ms"));

            if (parse.GetValue(predictionsFile) is { } csv)
                File.WriteAllLines(csv, firstPredictions.Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{p.Dataset.Name},{p.Face.Path},{p.Face.Subject},{p.Prediction.TrueAge},{p.Prediction.TrueAgeGroup},{p.Prediction.PredictedAge:0.00},{p.Prediction.AgeUncertainty:0.00},{p.Prediction.TrueGender},{p.Prediction.MaleProbability:0.0000},{p.Square.CenterX:0.0},{p.Square.CenterY:0.0},{p.Square.Side:0.0},{p.Square.Angle:0.00}"))
                    .Prepend("dataset,path,subject,true_age,true_age_group,predicted_age,age_uncertainty,true_gender,p_male,crop_cx,crop_cy,crop_side,crop_angle"));
            var summary = new
            {
                detector = datasets.Any(d => d.Mode == CropMode.Detect) ? detectorName : null,
                cropMargin = options.CropMargin,
                view = keep,
                model = options.AgeGenderModel,
                head = options.AgeGenderHead,
                flip = options.FlipAugmentation,
                datasets = datasets.Select((set, d) => new
                {
                    name = set.Name,
                    labels = Path.GetFullPath(set.Labels),
                    mode = set.Mode.ToString(),
                    unreadable = failures[d],
                    labelErrors = set.LabelErrors,
                    results = runs[d].Select((run, c) => new
                    {
                        name = run.Name,
                        model = configurations[c].Own?.File ?? configurations[c].Options.AgeGenderModel,
                        head = configurations[c].Own is null ? configurations[c].Options.AgeGenderHead : null,
                        msPerFace = costs[d][c],
                        metrics = run.Metrics,
                    }),
                }),
            };
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"summary written to {parse.GetValue(json)}");
            if (parse.GetValue(report) is { } folder)
            {
                EvalReport.Write(folder, datasets.Select((set, d) => (set.Name, Path.GetFullPath(set.Labels), (IReadOnlyList<EvalReport.Run>)runs[d])).ToList());
                Console.WriteLine($"report written to {Path.Combine(folder, "report.md")}");
            }
            return failures.Any(f => f > 0) ? 2 : 0;
        }));
        return command;
    }

    /// <summary>What a configuration says of one crop: an age and/or P(male) (null where the model gives none), and the stated ± of the age.</summary>
    private sealed record Estimate(double? Age, float? MaleProbability, double? AgeUncertainty);

    private static (List<(LabeledFace Face, Prediction Prediction, FaceCropper.Square Square)> Predictions, int Misses, int Failures) Run(FaceCropSource source, int batch,
        Func<IReadOnlyList<Mat>, IReadOnlyList<Estimate>> estimate, List<LabeledFace> faces)
    {
        var predictions = new List<(LabeledFace, Prediction, FaceCropper.Square)>(faces.Count);
        int misses = 0, failures = 0;
        var progress = new ConsoleProgress("eval", faces.Count);
        for (int start = 0; start < faces.Count; start += batch)
        {
            var chunk = faces.Skip(start).Take(batch).ToList();
            // Decode and crop in parallel; the model then sees the whole chunk in one run.
            var errors = new List<string>();
            var (crops, missed, squares) = source.CutFiles(chunk.Select(f => f.Path).ToList(), errors);
            foreach (var e in errors) Console.Error.WriteLine($"error: {e}");
            misses += missed.Count(m => m);
            failures += errors.Count;
            var ready = crops.Select((c, i) => (c, i)).Where(p => p.c is not null).ToList();
            var estimates = estimate(ready.Select(p => p.c!).ToList());
            for (int k = 0; k < ready.Count; k++)
            {
                var face = chunk[ready[k].i];
                var e = estimates[k];
                // A model that gives no age (or no gender) is scored only on what it gives.
                float male = e.MaleProbability ?? 0.5f;
                predictions.Add((face, new Prediction(e.Age is null ? null : face.Age, e.MaleProbability is null ? null : face.Gender, e.Age ?? 0,
                    male >= 0.5f ? Gender.Male : Gender.Female, male, e.Age is null ? null : face.AgeGroup, e.AgeUncertainty), squares[ready[k].i]!.Value));
            }
            foreach (var c in crops) c?.Dispose();
            progress.Report(Math.Min(faces.Count, start + batch));
        }
        return (predictions, misses, failures);
    }

    /// <summary>The metrics the labels carry, and only those: no age lines without ages, no gender lines without genders.</summary>
    internal static void Print(AgeGenderMetrics m, int failures)
    {
        Console.WriteLine($"n                 {m.Scored}");
        Console.WriteLine($"misses            {m.Misses}");
        Console.WriteLine($"unreadable        {failures}");
        if (m.HasAges)
        {
            Console.WriteLine($"age MAE           {m.Mae:0.00} (n={m.N})");
            Console.WriteLine($"age RMSE          {m.Rmse:0.00}");
            Console.WriteLine($"age R²            {m.R2:0.000}");
            Console.WriteLine($"CS@5              {m.CumulativeScore5:P1}");
            Console.WriteLine($"mean signed error {m.MeanSignedError:+0.00;-0.00}");
            if (m.ChildrenN > 0) Console.WriteLine($"children 0-{AgeGenderMetrics.ChildMaxAge}     n={m.ChildrenN} MAE {m.ChildrenMae:0.00}  signed {m.ChildrenSignedError:+0.00;-0.00}");
        }
        if (m.AgeGroupAccuracy is { } groupAccuracy)
        {
            Console.WriteLine($"age group hit     {groupAccuracy:P1} (n={m.AgeGroupN}, the labels' own groups)");
            Console.WriteLine($"interval MAE      {m.IntervalMae:0.00} (years outside the labelled group)");
        }
        if (m.HasGender)
        {
            Console.WriteLine($"gender accuracy   {m.GenderAccuracy:P1} (n={m.GenderN})");
            foreach (var g in m.ByGender)
                Console.WriteLine(m.HasAges
                    ? $"{g.Gender,-6} n={g.N,-5} MAE {g.Mae,5:0.00}  signed {g.MeanSignedError,6:+0.00;-0.00}  called the other gender {g.ErrorRate:P1}"
                    : $"{g.Gender,-6} n={g.N,-5} called the other gender {g.ErrorRate:P1}");
        }
        if (m.Coverage is { } coverage)
            Console.WriteLine($"± coverage        {coverage:P1} of true ages within the stated ± (mean ±{m.MeanUncertainty:0.0}; claimed {FaceAge.Core.Estimation.AgeUncertainty.ClaimedCoverage:P0})");
        if (m.GroupCoverage is { } groupCoverage)
            Console.WriteLine($"± group coverage  {groupCoverage:P1} of labelled groups reached by the stated ±");
        if (m.HasAges)
        {
            Console.WriteLine("MAE per decade:");
            foreach (var d in m.ByDecade)
                Console.WriteLine($"  {d.Decade,-7} n={d.N,-5} MAE {d.Mae,5:0.00}  signed {d.MeanSignedError,6:+0.00;-0.00}");
        }
        if (m.ByAgeGroup.Count > 0)
        {
            Console.WriteLine("per age group:");
            foreach (var g in m.ByAgeGroup)
                Console.WriteLine($"  {g.Group,-7} n={g.N,-5} hit {g.Hit,6:P1}  interval MAE {g.IntervalMae,5:0.00}  signed {g.MeanSignedError,6:+0.00;-0.00}");
        }
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

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
        var options = new EvalOptions();
        var command = new Command("eval",
            "Measure age MAE, RMSE, R², CS@5, age-group hits, gender accuracy and the coverage of the stated ± on one or more labelled data sets.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <summary>One configuration scored: an analyzer's estimator, or (with <paramref name="Own"/>) a face model's own outputs.</summary>
    private sealed record Configuration(string Name, AnalyzerOptions Options, FaceModelDefinition? Own);

    /// <summary>What a configuration says of one crop: an age and/or P(male) (null where the model gives none), and the stated ± of the age.</summary>
    private sealed record Estimate(double? Age, float? MaleProbability, double? AgeUncertainty);

    private sealed record PredictedFace(LabeledFace Face, Prediction Prediction, FaceCropper.Square Square);

    private sealed record DatasetPrediction(LabeledDataset Dataset, PredictedFace Face);

    /// <summary>The metrics of the faces of one race group (as the labels name it).</summary>
    private sealed record RaceGroup(string Group, AgeGenderMetrics Metrics);

    /// <summary>What the configurations measured: for data set d and configuration c, Runs[d][c] and Costs[d][c] (ms per face).</summary>
    private sealed class Results(int datasets)
    {
        public List<EvalReport.Run>[] Runs { get; } = [.. Enumerable.Range(0, datasets).Select(_ => new List<EvalReport.Run>())];
        public List<double>[] Costs { get; } = [.. Enumerable.Range(0, datasets).Select(_ => new List<double>())];

        /// <summary>For data set d and configuration c, the metrics per race group the labels give (empty without race labels).</summary>
        public List<List<RaceGroup>>[] ByRace { get; } = [.. Enumerable.Range(0, datasets).Select(_ => new List<List<RaceGroup>>())];

        /// <summary>Unreadable images per data set (the most of any configuration).</summary>
        public int[] Failures { get; } = new int[datasets];

        /// <summary>The first configuration's predictions, for --predictions.</summary>
        public List<DatasetPrediction> FirstPredictions { get; } = [];

        public string? DetectorName { get; set; }
    }

    private static int Run(EvalArguments arguments)
    {
        var datasets = LabeledDataset.Read(arguments.Labels, arguments.Modes, CliErrors.Warning);
        if (arguments.Limit is { } n)
            datasets = datasets.Select(d => d with { Faces = d.Faces.Shuffled(arguments.Seed).Take(n).ToList() }).ToList();
        var configurations = Configurations(arguments);
        var results = new Results(datasets.Count);
        bool announce = configurations.Count > 1 || datasets.Count > 1;
        foreach (var configuration in configurations) Evaluate(configuration, datasets, arguments.View, announce, results);

        PrintResults(datasets, configurations, results);
        PrintCosts(configurations, results, arguments.Analysis.FlipAugmentation);
        if (arguments.PredictionsFile is { } csv) WritePredictions(csv, results.FirstPredictions);
        WriteSummary(arguments, datasets, configurations, results);
        if (arguments.ReportFolder is { } folder)
        {
            EvalReport.Write(folder,
                datasets.Select((set, d) => (set.Name, Path.GetFullPath(set.Labels), (IReadOnlyList<EvalReport.Run>)results.Runs[d])).ToList());
            Console.WriteLine($"report written to {Path.Combine(folder, "report.md")}");
        }
        return results.Failures.Any(f => f > 0) ? 2 : 0;
    }

    /// <summary>The settings' configuration, then the --compare/--compare-head one, then each --own face model.</summary>
    private static List<Configuration> Configurations(EvalArguments arguments)
    {
        var options = arguments.Analysis;
        var configurations = new List<Configuration> { new(NameOf(options), options, null) };
        if (arguments.CompareModel is not null || arguments.CompareHead is not null)
        {
            var second = options with { AgeGenderModel = arguments.CompareModel ?? options.AgeGenderModel };
            if (arguments.CompareHead is { } h) second = second with { AgeGenderHead = AnalysisSettings.HeadFile(h) };
            configurations.Add(new(NameOf(second), second, null));
        }
        foreach (var name in arguments.Own)
        {
            var model = FaceModelRegistry.Require(name);
            configurations.Add(new(model.Name + " (own outputs)", options, model));
        }
        return configurations;

        static string NameOf(AnalyzerOptions o)
            => Path.GetFileNameWithoutExtension(o.AgeGenderModel) + (o.AgeGenderHead is { Length: > 0 } h ? " + " + Path.GetFileNameWithoutExtension(h) : "");
    }

    /// <summary>One configuration on every data set: its metrics, its cost per face and the faces it could not read.</summary>
    private static void Evaluate(Configuration configuration, List<LabeledDataset> datasets, float view, bool announce, Results results)
    {
        var config = configuration.Options;
        using var analyzer = FaceAnalyzer.Create(config, CliLogging.Factory);
        using var runner = configuration.Own is null ? null : new FaceModelRunner(configuration.Own,
            new OnnxSessionFactory(config.Inference).Create(ModelDirectory.Require(ModelDirectory.Locate(config.ModelsDirectory), configuration.Own.File)));
        Func<IReadOnlyList<Mat>, IReadOnlyList<Estimate>> estimate = runner is null
            ? crops => analyzer.Estimator.Estimate(crops).Select(a => new Estimate(a.Age.Mean, a.MaleProbability, a.AgeUncertainty)).ToList()
            : crops => runner.Estimate(crops, config.FlipAugmentation)
                .Select(e => new Estimate(e.Age, e.MaleProbability, e.Distribution?.StandardDeviation)).ToList();
        results.DetectorName = analyzer.DetectorName;
        for (int d = 0; d < datasets.Count; d++)
        {
            var set = datasets[d];
            if (announce) Console.Error.WriteLine($"eval: {configuration.Name} on {set.Name} ({set.Mode.ToString().ToLowerInvariant()})");
            var timed = new TimedEstimate(estimate);
            var (predictions, misses, failed) = Predict(FaceCropSource.For(set.Mode, analyzer, view), analyzer.Options.MaxBatchSize, timed.Run, set.Faces);
            results.Failures[d] = Math.Max(results.Failures[d], failed);
            var list = predictions.Select(p => p.Prediction).ToList();
            results.Costs[d].Add(timed.MillisecondsPerFace);
            results.Runs[d].Add(new EvalReport.Run(configuration.Name, AgeGenderMetrics.Compute(list, misses), list));
            results.ByRace[d].Add(predictions.Where(p => p.Face.Race is not null).GroupBy(p => p.Face.Race!).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new RaceGroup(g.Key, AgeGenderMetrics.Compute(g.Select(p => p.Prediction).ToList()))).ToList());
            if (results.Runs[d].Count == 1) results.FirstPredictions.AddRange(predictions.Select(p => new DatasetPrediction(set, p)));
        }
    }

    /// <summary>
    /// The cost per face of the age/gender step alone (crops in, estimates out; flip included), beside its accuracy.
    /// </summary>
    private sealed class TimedEstimate(Func<IReadOnlyList<Mat>, IReadOnlyList<Estimate>> estimate)
    {
        private readonly Stopwatch _clock = new();
        private int _estimated;

        public double MillisecondsPerFace => _clock.Elapsed.TotalMilliseconds / Math.Max(1, _estimated);

        public IReadOnlyList<Estimate> Run(IReadOnlyList<Mat> crops)
        {
            _clock.Start();
            try { return estimate(crops); }
            finally { _clock.Stop(); _estimated += crops.Count; }
        }
    }

    private static (List<PredictedFace> Predictions, int Misses, int Failures) Predict(FaceCropSource source, int batch,
        Func<IReadOnlyList<Mat>, IReadOnlyList<Estimate>> estimate, List<LabeledFace> faces)
    {
        var predictions = new List<PredictedFace>(faces.Count);
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
                predictions.Add(new PredictedFace(face, PredictionOf(face, estimates[k]), squares[ready[k].i]!.Value));
            }
            foreach (var c in crops) c?.Dispose();
            progress.Report(Math.Min(faces.Count, start + batch));
        }
        return (predictions, misses, failures);
    }

    /// <summary>A model that gives no age (or no gender) is scored only on what it gives.</summary>
    private static Prediction PredictionOf(LabeledFace face, Estimate e)
    {
        float male = e.MaleProbability ?? 0.5f;
        return new Prediction(e.Age is null ? null : face.Age, e.MaleProbability is null ? null : face.Gender, e.Age ?? 0,
            male >= 0.5f ? Gender.Male : Gender.Female, male, e.Age is null ? null : face.AgeGroup, e.AgeUncertainty);
    }

    /// <summary>Per data set: the first configuration's metrics, the configurations side by side, and the cross-dataset table.</summary>
    private static void PrintResults(List<LabeledDataset> datasets, List<Configuration> configurations, Results results)
    {
        for (int d = 0; d < datasets.Count; d++)
        {
            var set = datasets[d];
            if (datasets.Count > 1)
                Console.WriteLine($"{(d > 0 ? Environment.NewLine : "")}== {set.Name} ({set.Mode.ToString().ToLowerInvariant()}, {configurations[0].Name})");
            MetricLines.Print(results.Runs[d][0].Metrics, results.Failures[d]);
            if (results.ByRace[d][0].Count > 0) MetricLines.PrintGroups("per race group", results.ByRace[d][0].Select(g => (g.Group, g.Metrics)).ToList());
            if (configurations.Count > 1) Console.WriteLine(Environment.NewLine + EvalReport.Table(results.Runs[d]));
        }
        if (datasets.Count > 1)
            Console.WriteLine(Environment.NewLine + EvalReport.CrossDatasetTable(
                datasets.Select((set, d) => (set.Name, (IReadOnlyList<EvalReport.Run>)results.Runs[d])).ToList()));
    }

    private static void PrintCosts(List<Configuration> configurations, Results results, bool flip)
    {
        Console.WriteLine(Environment.NewLine + "age/gender cost per face (crops in, estimates out; this machine, " + (flip ? "with" : "without") + " flip):");
        for (int c = 0; c < configurations.Count; c++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {configurations[c].Name}: {results.Costs.Select(k => k[c]).Average():0.0} ms"));
    }

    private static void WritePredictions(string csv, List<DatasetPrediction> predictions)
        => File.WriteAllLines(csv, predictions.Select(p => CsvRow(p.Dataset, p.Face))
            .Prepend("dataset,path,subject,true_age,true_age_group,predicted_age,age_uncertainty,true_gender,p_male,crop_cx,crop_cy,crop_side,crop_angle"));

    private static string CsvRow(LabeledDataset dataset, PredictedFace p) => string.Create(CultureInfo.InvariantCulture,
        $"{dataset.Name},{p.Face.Path},{p.Face.Subject},{p.Prediction.TrueAge},{p.Prediction.TrueAgeGroup},{p.Prediction.PredictedAge:0.00},"
        + $"{p.Prediction.AgeUncertainty:0.00},{p.Prediction.TrueGender},{p.Prediction.MaleProbability:0.0000},"
        + $"{p.Square.CenterX:0.0},{p.Square.CenterY:0.0},{p.Square.Side:0.0},{p.Square.Angle:0.00}");

    private static void WriteSummary(EvalArguments arguments, List<LabeledDataset> datasets, List<Configuration> configurations, Results results)
    {
        var options = arguments.Analysis;
        var summary = new
        {
            detector = datasets.Any(d => d.Mode == CropMode.Detect) ? results.DetectorName : null,
            cropMargin = options.CropMargin,
            view = arguments.View,
            model = options.AgeGenderModel,
            head = options.AgeGenderHead,
            flip = options.FlipAugmentation,
            datasets = datasets.Select((set, d) => new
            {
                name = set.Name,
                labels = Path.GetFullPath(set.Labels),
                mode = set.Mode.ToString(),
                unreadable = results.Failures[d],
                labelErrors = set.LabelErrors,
                results = results.Runs[d].Select((run, c) => new
                {
                    name = run.Name,
                    model = configurations[c].Own?.File ?? configurations[c].Options.AgeGenderModel,
                    head = configurations[c].Own is null ? configurations[c].Options.AgeGenderHead : null,
                    msPerFace = results.Costs[d][c],
                    metrics = run.Metrics,
                    byRace = results.ByRace[d][c].Count > 0 ? results.ByRace[d][c].Select(g => new { group = g.Group, metrics = g.Metrics }) : null,
                }),
            }),
        };
        JsonResultsFile.WriteWithNaN(arguments.JsonFile, summary);
        Console.WriteLine($"summary written to {arguments.JsonFile}");
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

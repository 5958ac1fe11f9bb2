using System.CommandLine;
using System.Globalization;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage train`: age/gender heads on the frozen features of one or more face models (a feature set), trained on
/// several labelled data sets at once (exact ages, age groups, genders; one person's photos kept in one fold),
/// cross-validated and judged per data set, the best feature set exported to ONNX with a model card.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var options = new TrainOptions();
        var command = new Command("train",
            "Train age/gender heads on the frozen features of one or more face models and several data sets; cross-validate per data set; "
            + "export ONNX and a model card.");
        options.AddTo(command);
        command.Subcommands.Add(FaceCheckTrainCommand.Create());
        command.Subcommands.Add(PoseTrainCommand.Create());
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <summary>The feature set to export, its cross-validation (null without folds), its samples and the ± scale they gave.</summary>
    private sealed record ChosenFeatureSet(FeatureSet Set, TrainingRun.CrossValidated? CrossValidated, List<HeadSample> Samples, double UncertaintyScale);

    private sealed record CrossValidatedSet(string Name, double MillisecondsPerFace, TrainingRun.CrossValidated Result);

    private static int Run(TrainArguments arguments)
    {
        var cancel = CancellationToken.None;
        var datasets = ReadDatasets(arguments);
        var names = datasets.Select(d => d.Name).ToList();
        var analysis = arguments.Analysis;
        var modelsDir = ModelDirectory.Locate(analysis.ModelsDirectory);
        var sessions = new OnnxSessionFactory(analysis.Inference, CliLogging.Factory.CreateLogger("train"));
        using var analyzer = FaceAnalyzer.Create(analysis, CliLogging.Factory);
        var files = new FeatureModelFiles(modelsDir,
            Path.IsPathRooted(arguments.Model) ? arguments.Model : ModelDirectory.Require(modelsDir, arguments.Model));
        var features = TrainingFeatures.Extract(arguments, datasets, analyzer, sessions, files, cancel);

        var run = new TrainingRun(arguments.Seed, arguments.ValidationFraction, arguments.Folds, arguments.Head, names, cancel);
        var chosen = Choose(arguments, run, features, names);
        if (chosen.CrossValidated is { } cv && arguments.PredictionsFile is { } csv) WritePredictions(csv, cv, chosen, features.Used, names);
        var final = run.Final(chosen.Samples, chosen.UncertaintyScale);
        Export(arguments, final, chosen, run, features, files, names);
        return features.Errors.Count > 0 ? 2 : 0;
    }

    /// <summary>The data sets, the images with an age or gender label only, sampled down to --limit.</summary>
    private static List<LabeledDataset> ReadDatasets(TrainArguments arguments)
        => LabeledDataset.Read(arguments.Labels, arguments.Modes, CliErrors.Warning)
            .Select(d => d with { Faces = Sample(d.Faces.Where(f => f.HasAgeLabel || f.Gender is not null).ToList(), arguments.Limit, arguments.Seed) })
            .ToList();

    /// <summary>
    /// With folds, each candidate feature set cross-validated and the lowest per-data-set score chosen (the table on stdout);
    /// without, the first. The ± scale is fitted on the chosen set's held-out predictions (1 without folds).
    /// </summary>
    private static ChosenFeatureSet Choose(TrainArguments arguments, TrainingRun run, TrainingFeatures features, IReadOnlyList<string> names)
    {
        FeatureSet best = arguments.FeatureSets[0];
        TrainingRun.CrossValidated? bestCv = null;
        var table = new List<CrossValidatedSet>();
        if (arguments.Folds >= 2)
        {
            foreach (var fs in arguments.FeatureSets)
            {
                var cv = run.CrossValidate(features.SamplesOf(fs), fs.Name);
                table.Add(new CrossValidatedSet(fs.Name, features.CostOf(fs), cv));
                if (bestCv is null || cv.Score.Score < bestCv.Score.Score) (best, bestCv) = (fs, cv);
            }
        }
        var samples = features.SamplesOf(best);
        double scale = bestCv is null ? 1 : UncertaintyCalibration.FitScale(bestCv.Predictions, samples.Select(s => s.Dataset).ToList());
        if (arguments.Folds >= 2)
        {
            Console.WriteLine($"{arguments.Folds}-fold cross-validation per data set "
                + $"(± calibrated by {scale.ToString("0.000", CultureInfo.InvariantCulture)} × SD on the chosen set; each row's own ±):");
            Console.WriteLine(EvalReport.CrossDatasetTable(names.Select((name, d) => (name, CrossValidatedRuns(table, samples, d))).ToList()));
            Console.WriteLine($"chosen: {best.Name} (lowest per-data-set score)");
        }
        return new ChosenFeatureSet(best, bestCv, samples, scale);
    }

    /// <summary>Each feature set's held-out predictions on data set <paramref name="d"/>, with the ± scale fitted on its own.</summary>
    private static IReadOnlyList<EvalReport.Run> CrossValidatedRuns(List<CrossValidatedSet> table, List<HeadSample> samples, int d)
        => table.Select(t =>
        {
            var own = UncertaintyCalibration.FitScale(t.Result.Predictions, samples.Select(s => s.Dataset).ToList());
            var ps = UncertaintyCalibration.Apply(t.Result.Predictions, own).Where((_, i) => samples[i].Dataset == d).ToList();
            var name = $"{t.Name} ({t.MillisecondsPerFace.ToString("0.0", CultureInfo.InvariantCulture)} ms/face, "
                + $"score {t.Result.Score.Score.ToString("0.000", CultureInfo.InvariantCulture)})";
            return new EvalReport.Run(name, AgeGenderMetrics.Compute(ps), ps);
        }).ToList();

    private static void WritePredictions(string csv, TrainingRun.CrossValidated cv, ChosenFeatureSet chosen, List<LabeledFace> used,
        IReadOnlyList<string> names)
    {
        var calibrated = UncertaintyCalibration.Apply(cv.Predictions, chosen.UncertaintyScale);
        File.WriteAllLines(csv, used.Select((f, i) => string.Create(CultureInfo.InvariantCulture,
                $"{names[chosen.Samples[i].Dataset]},{f.Path},{f.Age},{f.AgeGroup},{calibrated[i].PredictedAge:0.00},"
                + $"{calibrated[i].AgeUncertainty:0.00},{f.Gender},{calibrated[i].MaleProbability:0.0000}"))
            .Prepend("dataset,path,true_age,true_age_group,predicted_age,age_uncertainty,true_gender,p_male"));
    }

    /// <summary>The head's ONNX file, its model card and the list of images held out for early stopping.</summary>
    private static void Export(TrainArguments arguments, TrainingRun.Outcome final, ChosenFeatureSet chosen, TrainingRun run,
        TrainingFeatures features, FeatureModelFiles files, IReadOnlyList<string> names)
    {
        var outFile = arguments.OutputFile;
        var (best, samples, scale) = (chosen.Set, chosen.Samples, chosen.UncertaintyScale);
        var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outFile))!, Path.GetFileNameWithoutExtension(outFile));
        HeadExport.Write(final.Head, outFile, new Dictionary<string, string>
        {
            ["faceage.trained_on"] = string.Join(", ", names),
            ["faceage.seed"] = arguments.Seed.ToString(CultureInfo.InvariantCulture),
        }, best, scale);
        var data = features.Datasets.Select(p => ModelCard.Summarize(p.Set, p.Features.Select(f => f.Face).ToList(), p.Misses)).ToList();
        var crossValidated = chosen.CrossValidated is { } cv
            ? new ModelCard.CrossValidated(arguments.Folds, arguments.Seed,
                run.PerDataset(UncertaintyCalibration.Apply(cv.Predictions, scale), samples), cv.Folds)
            : null;
        var card = new ModelCard("", "", DateTimeOffset.UtcNow, CommandLine(), best.Name, best.Layout,
            best.Models.Select(m => new ModelCard.ModelFile(m.Name, Path.GetFileName(files.Of(m)), ModelIntegrity.Sha256Of(files.Of(m)))).ToList(),
            arguments.View, arguments.Analysis.CropMargin, arguments.Analysis.FlipAugmentation, data, arguments.Seed, arguments.ValidationFraction,
            arguments.Head, final.BestEpoch, scale, final.Validation, crossValidated, Math.Round(features.CostOf(best), 2), ModelCard.LicenceOf(data));
        card.Write(stem, outFile);
        var used = features.Used;
        File.WriteAllLines(stem + ".validation.txt", final.ValidationIndices
            .Select(i => $"{names[samples[i].Dataset]}/{Path.GetFileName(used[i].Path)}")
            .Prepend($"# images held out for early stopping of the final head (seed {arguments.Seed}, "
                + $"fraction {arguments.ValidationFraction.ToString(CultureInfo.InvariantCulture)} of each data set); all others trained it"));
        Console.WriteLine($"head written to {outFile}; model card {stem}.card.md");
    }

    /// <summary>The command as given, with paths as typed (recorded in the model card).</summary>
    private static string CommandLine()
        => "faceage " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    private static List<LabeledFace> Sample(List<LabeledFace> faces, int? limit, int seed)
    {
        if (limit is not { } n || n >= faces.Count) return faces;
        var order = Enumerable.Range(0, faces.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(n).Order().Select(i => faces[i]).ToList();
    }
}

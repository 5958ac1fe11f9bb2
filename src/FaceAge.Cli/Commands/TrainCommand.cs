using System.CommandLine;
using System.Diagnostics;
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
        var settings = new AnalysisSettings();
        var labels = new Option<string[]>("--labels") { Description = "Training data sets (as eval: CSV with 'path' and any of 'age', 'age_group', 'gender', 'subject'; a UTKFace-named folder; a folder per age). Photos of one subject stay in one fold.", Required = true, AllowMultipleArgumentsPerToken = true };
        var mode = new Option<CropMode[]>("--mode") { Description = "Per data set (one value for all, or one per --labels): Aligned (the images are face chips) or Detect (the largest detected face, as the product cuts it).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [CropMode.Aligned] };
        var features = new Option<string[]>("--features") { Description = "Feature set(s): a name from Analysis:FeatureSets or models joined by '+' (faceres-deep always first). With several, each is cross-validated and the best by the per-data-set score is exported.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["faceres-deep"] };
        var output = new Option<string>("--out") { Description = "The head's ONNX file; the model card (.card.json, .card.md) and the validation list (.validation.txt) go beside it.", Required = true };
        var folds = new Option<int>("--folds") { Description = "k-fold cross-validation before the final head (0 = skip; needed to choose between feature sets and to calibrate the ±).", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the folds, the validation split, initialization and shuffling.", DefaultValueFactory = _ => 1 };
        var validationFraction = new Option<double>("--validation") { Description = "Share of each data set held out for early stopping.", DefaultValueFactory = _ => 0.1 };
        var limit = new Option<int?>("--limit") { Description = "Use only N images of each data set (a seeded sample), e.g. for a quick run." };
        var cache = new Option<string>("--cache") { Description = "Feature cache folder.", DefaultValueFactory = _ => Path.Combine("models", "cache", "features") };
        var view = new Option<float>("--view") { Description = "Aligned data sets: crop side as a multiple of the image side (as in eval).", DefaultValueFactory = _ => 1.4f };
        var model = new Option<string>("--model") { Description = "faceres-deep's ONNX file in the models folder or a path (the float model, its int8 build or a fine-tuned one).", DefaultValueFactory = _ => "faceres-deep.onnx" };
        var defaults = new HeadTrainingOptions();
        var hidden = new Option<int>("--hidden") { Description = "Hidden units (0 = linear heads).", DefaultValueFactory = _ => defaults.Hidden };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs.", DefaultValueFactory = _ => defaults.MaxEpochs };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience in epochs.", DefaultValueFactory = _ => defaults.Patience };
        var batch = new Option<int>("--batch-size") { Description = "Rows (image views) per optimizer step.", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--learning-rate") { Description = "AdamW learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay (weights, not biases).", DefaultValueFactory = _ => defaults.WeightDecay };
        var sigma = new Option<double>("--age-sigma") { Description = "Width (years) of the soft age targets.", DefaultValueFactory = _ => defaults.AgeSigma };
        var expectation = new Option<double>("--expectation-weight") { Description = "Weight of the L1 loss on the expected age.", DefaultValueFactory = _ => defaults.ExpectationWeight };
        var reweight = new Option<double>("--age-reweight") { Description = "Age re-weighting power (0 none, 1 balanced).", DefaultValueFactory = _ => defaults.AgeReweightPower };
        var balance = new Option<double>("--dataset-balance") { Description = "Data-set weighting power (0 = by size, 1 = each data set the same total weight).", DefaultValueFactory = _ => defaults.DatasetBalance };
        var dropout = new Option<double>("--dropout") { Description = "Input dropout.", DefaultValueFactory = _ => defaults.InputDropout };
        var predictions = new Option<string?>("--predictions") { Description = "Write the cross-validated prediction of every image (best feature set) as CSV." };

        var command = new Command("train", "Train age/gender heads on the frozen features of one or more face models and several data sets; cross-validate per data set; export ONNX and a model card.");
        foreach (var o in new Option[] { labels, mode, features, output, folds, seed, validationFraction, limit, cache, view, model, hidden, epochs, patience, batch, learningRate, weightDecay, sigma, expectation, reweight, balance, dropout, predictions })
            command.Options.Add(o);
        command.Subcommands.Add(FaceCheckTrainCommand.Create());
        // Of the analysis options these matter: where the models are, the detector and margin of detect-mode crops, and the mirror.
        foreach (var o in new Option[] { settings.Config, settings.Models, settings.Detector, settings.DetectorModel, settings.Threshold, settings.Tiles, settings.Margin, settings.Flip }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var cancel = CancellationToken.None;
            var options = new HeadTrainingOptions
            {
                Hidden = parse.GetValue(hidden), MaxEpochs = parse.GetValue(epochs), Patience = parse.GetValue(patience), BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(learningRate), WeightDecay = parse.GetValue(weightDecay), AgeSigma = parse.GetValue(sigma),
                ExpectationWeight = parse.GetValue(expectation), AgeReweightPower = parse.GetValue(reweight), DatasetBalance = parse.GetValue(balance),
                InputDropout = parse.GetValue(dropout), Seed = parse.GetValue(seed),
            };
            var errors = options.Validate().ToList();
            int k = parse.GetValue(folds);
            if (k is 1 or < 0) errors.Add($"--folds must be 0 (skip) or ≥ 2, got {k}.");
            var candidates = parse.GetValue(features)!;
            if (candidates.Length > 1 && k == 0) errors.Add("--features with several sets needs --folds ≥ 2 to choose between them.");
            if (parse.GetValue(validationFraction) is <= 0 or >= 0.5) errors.Add($"--validation must be in (0, 0.5), got {parse.GetValue(validationFraction)}.");
            if (parse.GetValue(view) is <= 0.2f or > 2f) errors.Add($"--view must be in (0.2, 2], got {parse.GetValue(view)}.");
            var outFile = parse.GetValue(output)!;
            if (!outFile.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) errors.Add($"--out must name an .onnx file, got '{outFile}'.");
            if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));

            var analysis = settings.Load(parse) with { AgeGenderHead = null, FaceCheck = "" };
            var sets = candidates.Select(c => analysis.FeatureSets?.GetValueOrDefault(c) is { } named ? FeatureSet.Parse(named) : FeatureSet.Parse(c)).ToList();
            var datasets = LabeledDataset.Read(parse.GetValue(labels)!, parse.GetValue(mode)!, w => Console.Error.WriteLine($"warning: {w}"));
            datasets = datasets.Select(d => d with { Faces = Sample(d.Faces.Where(f => f.HasAgeLabel || f.Gender is not null).ToList(), parse.GetValue(limit), parse.GetValue(seed)) }).ToList();
            var names = datasets.Select(d => d.Name).ToList();

            var modelsDir = ModelDirectory.Locate(analysis.ModelsDirectory);
            var sessions = new OnnxSessionFactory(analysis.Inference, CliLogging.Factory.CreateLogger("train"));
            using var analyzer = FaceAnalyzer.Create(analysis, CliLogging.Factory);
            var backboneFile = Path.IsPathRooted(parse.GetValue(model)!) ? parse.GetValue(model)! : ModelDirectory.Require(modelsDir, parse.GetValue(model)!);
            string FileOf(FaceModelDefinition m) => m == FaceModelRegistry.FaceResDeep ? backboneFile : ModelDirectory.Require(modelsDir, m.File);

            // Features of every model of every candidate set, per data set, through the caches (each image decoded once per run at most).
            var allModels = sets.SelectMany(s => s.Models).DistinctBy(m => m.Name).ToList();
            var runners = allModels.ToDictionary(m => m.Name, m => new FaceModelRunner(m, sessions.Create(FileOf(m))));
            var extractErrors = new List<string>();
            var perSet = new List<(LabeledDataset Set, List<(LabeledFace Face, float[][] Views)> Features, int Misses)>();
            foreach (var set in datasets)
            {
                var extraction = new FeatureExtraction(FaceCropSource.For(set.Mode, analyzer, parse.GetValue(view)), allModels.Select(m => (runners[m.Name], FileOf(m))).ToList(),
                    parse.GetValue(cache)!, analysis.MaxBatchSize);
                Console.Error.WriteLine($"train: {set.Name} ({set.Mode.ToString().ToLowerInvariant()}), {set.Faces.Count} images, features of {string.Join(", ", allModels.Select(m => m.Name))}");
                var (vectors, misses) = extraction.Run(set.Faces, extractErrors, new ConsoleProgress("features " + set.Name, set.Faces.Count).Report, cancel);
                perSet.Add((set, vectors, misses));
            }
            PrintErrors(extractErrors);
            var costs = MillisecondsPerFace(runners.Values.ToList(), datasets, analyzer, parse.GetValue(view));
            foreach (var r in runners.Values) r.Dispose();

            // The samples of a feature set: its models' slices of the joined vectors, in its order.
            var offsets = new Dictionary<string, int>();
            int at = 0;
            foreach (var m in allModels) { offsets[m.Name] = at; at += m.FeatureLength; }
            bool flip = analysis.FlipAugmentation;
            List<HeadSample> SamplesOf(FeatureSet fs) => perSet.SelectMany((p, d) => p.Features.Select(f => new HeadSample(
                (flip ? f.Views : [f.Views[0]]).Select(v => fs.Models.SelectMany(m => v.AsSpan(offsets[m.Name], m.FeatureLength).ToArray()).ToArray()).ToArray(),
                f.Face.Age, f.Face.Gender, f.Face.AgeGroup, d, f.Face.Subject))).ToList();
            var used = perSet.SelectMany(p => p.Features.Select(f => f.Face)).ToList();

            var run = new TrainingRun(parse.GetValue(seed), parse.GetValue(validationFraction), k, options, names, cancel);
            FeatureSet best = sets[0];
            TrainingRun.CrossValidated? bestCv = null;
            var table = new List<(string Set, double Cost, TrainingRun.CrossValidated Cv)>();
            if (k >= 2)
            {
                foreach (var fs in sets)
                {
                    var cv = run.CrossValidate(SamplesOf(fs), fs.Name);
                    table.Add((fs.Name, fs.Models.Sum(m => costs[m.Name]), cv));
                    if (bestCv is null || cv.Score.Score < bestCv.Score.Score) (best, bestCv) = (fs, cv);
                }
            }
            var samples = SamplesOf(best);
            double scale = bestCv is null ? 1 : UncertaintyCalibration.FitScale(bestCv.Predictions, samples.Select(s => s.Dataset).ToList());
            if (k >= 2)
            {
                Console.WriteLine($"{k}-fold cross-validation per data set (± calibrated by {scale.ToString("0.000", CultureInfo.InvariantCulture)} × SD on the chosen set; each row's own ±):");
                Console.WriteLine(EvalReport.CrossDatasetTable(names.Select((name, d) => (name, (IReadOnlyList<EvalReport.Run>)table.Select(t =>
                {
                    var own = UncertaintyCalibration.FitScale(t.Cv.Predictions, samples.Select(s => s.Dataset).ToList());
                    var ps = UncertaintyCalibration.Apply(t.Cv.Predictions, own).Where((_, i) => samples[i].Dataset == d).ToList();
                    return new EvalReport.Run($"{t.Set} ({t.Cost.ToString("0.0", CultureInfo.InvariantCulture)} ms/face, score {t.Cv.Score.Score.ToString("0.000", CultureInfo.InvariantCulture)})", AgeGenderMetrics.Compute(ps), ps);
                }).ToList())).ToList()));
                Console.WriteLine($"chosen: {best.Name} (lowest per-data-set score)");
            }
            if (bestCv is not null && parse.GetValue(predictions) is { } csv)
            {
                var calibrated = UncertaintyCalibration.Apply(bestCv.Predictions, scale);
                File.WriteAllLines(csv, used.Select((f, i) => string.Create(CultureInfo.InvariantCulture,
                    $"{names[samples[i].Dataset]},{f.Path},{f.Age},{f.AgeGroup},{calibrated[i].PredictedAge:0.00},{calibrated[i].AgeUncertainty:0.00},{f.Gender},{calibrated[i].MaleProbability:0.0000}"))
                    .Prepend("dataset,path,true_age,true_age_group,predicted_age,age_uncertainty,true_gender,p_male"));
            }

            var final = run.Final(samples, scale);
            var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outFile))!, Path.GetFileNameWithoutExtension(outFile));
            HeadExport.Write(final.Head, outFile, new Dictionary<string, string>
            {
                ["faceage.trained_on"] = string.Join(", ", names),
                ["faceage.seed"] = parse.GetValue(seed).ToString(CultureInfo.InvariantCulture),
            }, best, scale);
            var data = perSet.Select(p => ModelCard.Summarize(p.Set, p.Features.Select(f => f.Face).ToList(), p.Misses)).ToList();
            var card = new ModelCard("", "", DateTimeOffset.UtcNow, CommandLine(), best.Name, best.Layout,
                best.Models.Select(m => new ModelCard.ModelFile(m.Name, Path.GetFileName(FileOf(m)), ModelIntegrity.Sha256Of(FileOf(m)))).ToList(),
                parse.GetValue(view), analysis.CropMargin, flip, data, parse.GetValue(seed), parse.GetValue(validationFraction), options, final.BestEpoch, scale,
                final.Validation, bestCv is null ? null : new ModelCard.CrossValidated(k, parse.GetValue(seed),
                    run.PerDataset(UncertaintyCalibration.Apply(bestCv.Predictions, scale), samples), bestCv.Folds),
                Math.Round(best.Models.Sum(m => costs[m.Name]), 2), ModelCard.LicenceOf(data));
            card.Write(stem, outFile);
            File.WriteAllLines(stem + ".validation.txt", final.ValidationIndices.Select(i => $"{names[samples[i].Dataset]}/{Path.GetFileName(used[i].Path)}")
                .Prepend($"# images held out for early stopping of the final head (seed {parse.GetValue(seed)}, fraction {parse.GetValue(validationFraction).ToString(CultureInfo.InvariantCulture)} of each data set); all others trained it"));
            Console.WriteLine($"head written to {outFile}; model card {stem}.card.md");
            return extractErrors.Count > 0 ? 2 : 0;
        }));
        return command;
    }

    /// <summary>The command as given, with paths as typed (recorded in the model card).</summary>
    private static string CommandLine() => "faceage " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    private static List<LabeledFace> Sample(List<LabeledFace> faces, int? limit, int seed)
    {
        if (limit is not { } n || n >= faces.Count) return faces;
        var order = Enumerable.Range(0, faces.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(n).Order().Select(i => faces[i]).ToList();
    }

    /// <summary>Milliseconds per face of each model (one view, batches of 8 crops, this machine), timed on up to 64 crops of the first data set.</summary>
    private static Dictionary<string, double> MillisecondsPerFace(IReadOnlyList<FaceModelRunner> runners, IReadOnlyList<LabeledDataset> datasets, FaceAnalyzer analyzer, float view)
    {
        var set = datasets[0];
        var source = FaceCropSource.For(set.Mode, analyzer, view);
        var (crops, _, _) = source.CutFiles(set.Faces.Take(64).Select(f => f.Path).ToList(), []);
        var ready = crops.Where(c => c is not null).Select(c => c!).ToList();
        var result = new Dictionary<string, double>();
        foreach (var runner in runners)
        {
            if (ready.Count == 0) { result[runner.Definition.Name] = double.NaN; continue; }
            runner.Features(ready.Take(8).ToList(), mirrored: false); // warm-up
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < ready.Count; i += 8) runner.Features(ready.Skip(i).Take(8).ToList(), mirrored: false);
            result[runner.Definition.Name] = clock.Elapsed.TotalMilliseconds / ready.Count;
        }
        foreach (var c in ready) c.Dispose();
        return result;
    }

    private static void PrintErrors(List<string> errors)
    {
        foreach (var e in errors.Take(20)) Console.Error.WriteLine($"error: {e}");
        if (errors.Count > 20) Console.Error.WriteLine($"error: … and {errors.Count - 20} more unreadable images");
    }
}

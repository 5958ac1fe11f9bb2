using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Evaluation;
using FaceAge.Core.Inference;
using FaceAge.Core.Models;
using FaceAge.Core.Training;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage train`: new age/gender heads on the frozen faceres-deep backbone (transfer learning), with
/// k-fold cross-validation, a final head exported to ONNX and a model card.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var settings = new AnalysisSettings();
        var labels = new Option<string>("--labels") { Description = "Training labels (same layouts as eval: CSV, UTKFace-named folder, folder per age). Images are aligned face crops.", Required = true };
        var output = new Option<string>("--out") { Description = "The head's ONNX file; the model card (.card.json, .card.md) and the validation list (.validation.txt) go beside it.", Required = true };
        var folds = new Option<int>("--folds") { Description = "k-fold cross-validation before the final head (0 = skip).", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the folds, the validation split, initialization and shuffling.", DefaultValueFactory = _ => 1 };
        var validationFraction = new Option<double>("--validation") { Description = "Share of the training images held out for early stopping.", DefaultValueFactory = _ => 0.1 };
        var limit = new Option<int?>("--limit") { Description = "Use only N images (a seeded sample), e.g. for a quick run." };
        var cache = new Option<string>("--cache") { Description = "Feature cache folder.", DefaultValueFactory = _ => Path.Combine("models", "cache", "features") };
        var view = new Option<float>("--view") { Description = "Crop side as a multiple of the image side (as in eval).", DefaultValueFactory = _ => 1.4f };
        var model = new Option<string>("--model") { Description = "Backbone (faceres-deep) ONNX file in the models folder or a path.", DefaultValueFactory = _ => "faceres-deep.onnx" };
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
        var dropout = new Option<double>("--dropout") { Description = "Input dropout.", DefaultValueFactory = _ => defaults.InputDropout };
        var predictions = new Option<string?>("--predictions") { Description = "Write the cross-validated prediction of every image as CSV." };

        var command = new Command("train", "Train age/gender heads on the frozen backbone's features; cross-validate; export ONNX and a model card.");
        foreach (var o in new Option[] { labels, output, folds, seed, validationFraction, limit, cache, view, model, hidden, epochs, patience, batch, learningRate, weightDecay, sigma, expectation, reweight, dropout, predictions })
            command.Options.Add(o);
        // Of the analysis options only these matter here (no detection: the images are face crops).
        foreach (var o in new Option[] { settings.Config, settings.Models, settings.Flip }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var cancel = CancellationToken.None;
            var options = new HeadTrainingOptions
            {
                Hidden = parse.GetValue(hidden), MaxEpochs = parse.GetValue(epochs), Patience = parse.GetValue(patience), BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(learningRate), WeightDecay = parse.GetValue(weightDecay), AgeSigma = parse.GetValue(sigma),
                ExpectationWeight = parse.GetValue(expectation), AgeReweightPower = parse.GetValue(reweight), InputDropout = parse.GetValue(dropout), Seed = parse.GetValue(seed),
            };
            var errors = options.Validate().ToList();
            int k = parse.GetValue(folds);
            if (k is 1 or < 0) errors.Add($"--folds must be 0 (skip) or ≥ 2, got {k}.");
            if (parse.GetValue(validationFraction) is <= 0 or >= 0.5) errors.Add($"--validation must be in (0, 0.5), got {parse.GetValue(validationFraction)}.");
            if (parse.GetValue(view) is <= 0.2f or > 2f) errors.Add($"--view must be in (0.2, 2], got {parse.GetValue(view)}.");
            var outFile = parse.GetValue(output)!;
            if (!outFile.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) errors.Add($"--out must name an .onnx file, got '{outFile}'.");
            if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));

            var analysis = settings.Load(parse);
            var labelsPath = parse.GetValue(labels)!;
            var (faces, labelErrors) = LabelSource.Read(labelsPath);
            foreach (var e in labelErrors.Take(20)) Console.Error.WriteLine(e.Line > 0 ? $"warning: {labelsPath}:{e.Line}: {e.Message}" : $"warning: {labelsPath}: {e.Message}");
            faces = faces.Where(f => f.Age is not null).ToList();
            if (parse.GetValue(limit) is { } n)
            {
                var order = Enumerable.Range(0, faces.Count).ToArray();
                new Random(parse.GetValue(seed)).Shuffle(order);
                faces = order.Take(n).Order().Select(i => faces[i]).ToList();
            }
            if (faces.Count < 20) throw new ArgumentException($"{labelsPath}: {faces.Count} images with an age label; need at least 20 to train.");

            // Features: the backbone once per image (the crop and its mirror), cached on disk; --flip false trains on the crops only.
            var modelsDir = ModelDirectory.Locate(analysis.ModelsDirectory);
            var modelName = parse.GetValue(model)!;
            var modelPath = Path.IsPathRooted(modelName) ? modelName : ModelDirectory.Require(modelsDir, modelName);
            var sessions = new OnnxSessionFactory(analysis.Inference, CliLogging.Factory.CreateLogger("train"));
            using var estimator = new FaceResEstimator(sessions.Create(modelPath));
            var extraction = new FeatureExtraction(estimator, modelPath, parse.GetValue(view), analysis.MaxBatchSize);
            var featureCache = FeatureCache.Open(parse.GetValue(cache)!, extraction.CacheKey, BackboneFeatures.Length);
            Console.Error.WriteLine($"train: {faces.Count} images, features from {Path.GetFileName(modelPath)} (cache {featureCache.Path}, {featureCache.Count} cached)");
            var progress = new ConsoleProgress("features", faces.Count);
            var extractErrors = new List<string>();
            var extracted = extraction.Run(faces, featureCache, extractErrors, progress.Report, cancel);
            foreach (var e in extractErrors.Take(20)) Console.Error.WriteLine($"error: {e}");
            if (!analysis.FlipAugmentation) extracted = extracted.Select(p => (p.Face, p.Sample with { Views = [p.Sample.Views[0]] })).ToList();
            var samples = extracted.Select(p => p.Sample).ToList();

            // Cross-validation: every image predicted once by a head that never saw it.
            object? crossValidation = null;
            if (k >= 2)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (cvPredictions, foldResults) = CrossValidation.Run(samples, k, parse.GetValue(seed), parse.GetValue(validationFraction), options,
                    (fold, e) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fold {fold + 1}/{k} epoch {e.Epoch}: loss {e.TrainLoss:0.000}, validation MAE {e.ValidationMae:0.000}, gender {e.ValidationGenderAccuracy:P1}")), cancel);
                var cvMetrics = AgeGenderMetrics.Compute(cvPredictions);
                Console.WriteLine($"{k}-fold cross-validation ({clock.Elapsed:mm\\:ss}):");
                foreach (var f in foldResults) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fold {f.Fold + 1}: n={f.TestImages} MAE {f.TestMae:0.00} gender {f.TestGenderAccuracy:P1} (best epoch {f.BestEpoch})"));
                EvalCommand.Print(cvMetrics, 0);
                crossValidation = new { folds = k, seed = parse.GetValue(seed), metrics = cvMetrics, perFold = foldResults };
                if (parse.GetValue(predictions) is { } csv)
                    File.WriteAllLines(csv, extracted.Select((p, i) => string.Create(CultureInfo.InvariantCulture,
                        $"{p.Face.Path},{p.Face.Age},{cvPredictions[i].PredictedAge:0.00},{p.Face.Gender},{cvPredictions[i].MaleProbability:0.0000}")).Prepend("path,true_age,predicted_age,true_gender,p_male"));
            }

            // The final head: all images, a seeded part held out for early stopping.
            var (trainIdx, validationIdx) = CrossValidation.Split(samples.Count, parse.GetValue(validationFraction), parse.GetValue(seed));
            var final = HeadTrainer.Train(trainIdx.Select(i => samples[i]).ToList(), validationIdx.Select(i => samples[i]).ToList(), options,
                e => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final epoch {e.Epoch}: loss {e.TrainLoss:0.000}, validation MAE {e.ValidationMae:0.000}, gender {e.ValidationGenderAccuracy:P1}")), cancel);
            var validationMetrics = AgeGenderMetrics.Compute(validationIdx.Select(i => CrossValidation.Predict(final.Head, samples[i])).ToList());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final head: best epoch {final.BestEpoch}, validation MAE {validationMetrics.Mae:0.00}, gender {validationMetrics.GenderAccuracy:P1} (n={validationIdx.Length})"));

            var card = ModelCard.Create(labelsPath, modelPath, parse.GetValue(view), analysis.FlipAugmentation, extracted.Select(p => p.Face).ToList(),
                parse.GetValue(seed), parse.GetValue(validationFraction), options, final, validationMetrics, crossValidation);
            HeadExport.Write(final.Head, outFile, new Dictionary<string, string>
            {
                ["faceage.backbone"] = Path.GetFileName(modelPath),
                ["faceage.trained_on"] = card.Data.Name,
                ["faceage.seed"] = parse.GetValue(seed).ToString(CultureInfo.InvariantCulture),
            });
            var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outFile))!, Path.GetFileNameWithoutExtension(outFile));
            card.Write(stem, outFile);
            var labelsRoot = Directory.Exists(labelsPath) ? labelsPath : Path.GetDirectoryName(Path.GetFullPath(labelsPath))!;
            File.WriteAllLines(stem + ".validation.txt", validationIdx.Select(i => Path.GetRelativePath(labelsRoot, extracted[i].Face.Path).Replace('\\', '/'))
                .Prepend($"# images held out for early stopping of the final head (seed {parse.GetValue(seed)}, fraction {parse.GetValue(validationFraction).ToString(CultureInfo.InvariantCulture)}); all others trained it"));
            Console.WriteLine($"head written to {outFile}; model card {stem}.card.md");
            return extractErrors.Count > 0 ? 2 : 0;
        }));
        return command;
    }
}

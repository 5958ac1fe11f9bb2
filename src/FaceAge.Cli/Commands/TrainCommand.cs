using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training;

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
        var blockDefaults = new LastBlockOptions();
        var tune = new Option<bool>("--tune-last-block") { Description = "Also fine-tune the backbone's last block (conv_pw_13, low-rank update + per-channel gain/shift) with the head; writes <out stem>.backbone.onnx beside the head." };
        var rank = new Option<int>("--rank") { Description = "Rank of the last block's weight update (--tune-last-block).", DefaultValueFactory = _ => blockDefaults.Rank };
        var blockRate = new Option<double>("--block-learning-rate") { Description = "Learning rate of the last block (--tune-last-block).", DefaultValueFactory = _ => blockDefaults.LearningRate };
        var blockEpochs = new Option<int>("--block-epochs") { Description = "Most epochs of the joint block + head stage (--tune-last-block).", DefaultValueFactory = _ => blockDefaults.MaxEpochs };
        var blockPatience = new Option<int>("--block-patience") { Description = "Early-stopping patience of the joint stage (--tune-last-block).", DefaultValueFactory = _ => blockDefaults.Patience };

        var command = new Command("train", "Train age/gender heads on the frozen backbone's features; cross-validate; export ONNX and a model card.");
        foreach (var o in new Option[] { labels, output, folds, seed, validationFraction, limit, cache, view, model, hidden, epochs, patience, batch, learningRate, weightDecay, sigma, expectation, reweight, dropout, predictions, tune, rank, blockRate, blockEpochs, blockPatience })
            command.Options.Add(o);
        command.Subcommands.Add(FaceCheckTrainCommand.Create());
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
            LastBlockOptions? blockOptions = parse.GetValue(tune)
                ? new LastBlockOptions { Rank = parse.GetValue(rank), LearningRate = parse.GetValue(blockRate), MaxEpochs = parse.GetValue(blockEpochs), Patience = parse.GetValue(blockPatience) }
                : null;
            var errors = options.Validate().Concat(blockOptions?.Validate() ?? []).ToList();
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
            var cacheDir = parse.GetValue(cache)!;
            var extractErrors = new List<string>();
            var run = new TrainingRun(parse.GetValue(seed), parse.GetValue(validationFraction), k, options, cancel);
            var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outFile))!, Path.GetFileNameWithoutExtension(outFile));
            string backboneFile = modelPath;
            List<LabeledFace> used;
            TrainingRun.Outcome outcome;
            if (blockOptions is null)
            {
                using var estimator = new FaceResEstimator(sessions.Create(modelPath));
                var extraction = FeatureExtraction.Head(estimator, modelPath, parse.GetValue(view), analysis.MaxBatchSize);
                var featureCache = FeatureCache.Open(cacheDir, extraction.CacheKey, BackboneFeatures.Length);
                Console.Error.WriteLine($"train: {faces.Count} images, features from {Path.GetFileName(modelPath)} (cache {featureCache.Path}, {featureCache.Count} cached)");
                var extracted = extraction.Run(faces, featureCache, extractErrors, new ConsoleProgress("features", faces.Count).Report, cancel);
                PrintErrors(extractErrors);
                used = extracted.Select(p => p.Face).ToList();
                outcome = run.Heads(extracted.Select(p => new HeadSample(analysis.FlipAugmentation ? p.Views : [p.Views[0]], p.Face.Age!.Value, p.Face.Gender)).ToList());
            }
            else
            {
                if (Path.GetFileName(modelPath) != LastBlockModel.ModelName + ".onnx")
                    throw new ArgumentException($"--tune-last-block fine-tunes {LastBlockModel.ModelName}.onnx (rebuilt from its npm source); --model {modelName} cannot be used with it.");
                var lastBlock = new LastBlockModel(new FaceAge.Models.Setup.ModelSetup(modelsDir), cancel);
                using var tapped = new FaceResEstimator(sessions.Create(lastBlock.WriteTapped(Path.Combine(cacheDir, "models"), modelPath, cancel)));
                var extraction = FeatureExtraction.LastBlock(tapped, modelPath, parse.GetValue(view), analysis.MaxBatchSize);
                var blockCache = FeatureCache<Half>.Open(cacheDir, "lastblock", extraction.CacheKey, LastBlockAdapter.ViewLength);
                Console.Error.WriteLine($"train: {faces.Count} images, last-block activations from {Path.GetFileName(modelPath)} (cache {blockCache.Path}, {blockCache.Count} cached)");
                var extracted = extraction.Run(faces, blockCache, extractErrors, new ConsoleProgress("activations", faces.Count).Report, cancel);
                PrintErrors(extractErrors);
                used = extracted.Select(p => p.Face).ToList();
                outcome = run.LastBlock(extracted.Select(p => new LastBlockSample(analysis.FlipAugmentation ? p.Views : [p.Views[0]], p.Face.Age!.Value, p.Face.Gender)).ToList(),
                    lastBlock.Stock, blockOptions);
                backboneFile = stem + ModelIntegrity.TunedBackboneSuffix + ".onnx";
                lastBlock.WriteTuned(outcome.Adapter!, backboneFile, new Dictionary<string, string> { ["faceage.trained_on"] = ModelCard.DataNameOf(labelsPath) }, cancel);
            }

            if (outcome.CrossValidation is { } cv && parse.GetValue(predictions) is { } csv)
                File.WriteAllLines(csv, used.Select((f, i) => string.Create(CultureInfo.InvariantCulture,
                    $"{f.Path},{f.Age},{cv.Predictions[i].PredictedAge:0.00},{f.Gender},{cv.Predictions[i].MaleProbability:0.0000}")).Prepend("path,true_age,predicted_age,true_gender,p_male"));
            object? crossValidation = outcome.CrossValidation is { } r ? new { folds = k, seed = parse.GetValue(seed), metrics = r.Metrics, perFold = r.Folds } : null;
            var card = ModelCard.Create(labelsPath, backboneFile, parse.GetValue(view), analysis.FlipAugmentation, used,
                parse.GetValue(seed), parse.GetValue(validationFraction), options, outcome.BestEpoch, outcome.Validation, crossValidation, blockOptions);
            var metadata = new Dictionary<string, string>
            {
                ["faceage.backbone"] = Path.GetFileName(backboneFile),
                ["faceage.trained_on"] = card.Data.Name,
                ["faceage.seed"] = parse.GetValue(seed).ToString(CultureInfo.InvariantCulture),
            };
            if (blockOptions is not null) metadata[TrainedHead.TunedBackboneKey] = Path.GetFileName(backboneFile);
            HeadExport.Write(outcome.Head, outFile, metadata);
            card.Write(stem, outFile);
            var labelsRoot = Directory.Exists(labelsPath) ? labelsPath : Path.GetDirectoryName(Path.GetFullPath(labelsPath))!;
            File.WriteAllLines(stem + ".validation.txt", outcome.ValidationIndices.Select(i => Path.GetRelativePath(labelsRoot, used[i].Path).Replace('\\', '/'))
                .Prepend($"# images held out for early stopping of the final head (seed {parse.GetValue(seed)}, fraction {parse.GetValue(validationFraction).ToString(CultureInfo.InvariantCulture)}); all others trained it"));
            Console.WriteLine(blockOptions is null ? $"head written to {outFile}; model card {stem}.card.md"
                : $"head written to {outFile}, its fine-tuned backbone to {backboneFile}; model card {stem}.card.md");
            return extractErrors.Count > 0 ? 2 : 0;
        }));
        return command;
    }

    private static void PrintErrors(List<string> errors)
    {
        foreach (var e in errors.Take(20)) Console.Error.WriteLine($"error: {e}");
        if (errors.Count > 20) Console.Error.WriteLine($"error: … and {errors.Count - 20} more unreadable images");
    }
}

using System.CommandLine;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Training;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>What `faceage train` is asked to do: its options' values, checked.</summary>
/// <param name="Analysis">The analysis settings, without a head or face check: the crops and the models folder.</param>
/// <param name="FeatureSets">The candidate feature sets; the first is exported when there is no cross-validation.</param>
/// <param name="Folds">k of the cross-validation; 0 = none.</param>
/// <param name="Model">faceres-deep's ONNX file as given (in the models folder, or a path).</param>
internal sealed record TrainArguments(
    AnalyzerOptions Analysis, HeadTrainingOptions Head, IReadOnlyList<FeatureSet> FeatureSets, IReadOnlyList<string> Labels,
    IReadOnlyList<CropMode> Modes, string OutputFile, int Folds, int Seed, double ValidationFraction, int? Limit, string CacheFolder, float View,
    string Model, string? PredictionsFile);

/// <summary>The options of `faceage train`, read into <see cref="TrainArguments"/>; every invalid value named in one message.</summary>
internal sealed class TrainOptions
{
    private static readonly HeadTrainingOptions Defaults = new();

    private readonly AnalysisSettings _settings = new();

    private readonly Option<string[]> _labels = new("--labels")
    {
        Description = "Training data sets (as eval: CSV with 'path' and any of 'age', 'age_group', 'gender', 'subject'; a UTKFace-named folder; "
            + "a folder per age). Photos of one subject stay in one fold.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<CropMode[]> _mode = new("--mode")
    {
        Description = "Per data set (one value for all, or one per --labels): Aligned (the images are face chips) "
            + "or Detect (the largest detected face, as the product cuts it).",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [CropMode.Aligned],
    };

    private readonly Option<string[]> _features = new("--features")
    {
        Description = "Feature set(s): a name from Analysis:FeatureSets or models joined by '+' (faceres-deep always first). "
            + "With several, each is cross-validated and the best by the per-data-set score is exported.",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => ["faceres-deep"],
    };

    private readonly Option<string> _output = new("--out")
    {
        Description = "The head's ONNX file; the model card (.card.json, .card.md) and the validation list (.validation.txt) go beside it.",
        Required = true,
    };

    private readonly Option<int> _folds = new("--folds")
    {
        Description = "k-fold cross-validation before the final head (0 = skip; needed to choose between feature sets and to calibrate the ±).",
        DefaultValueFactory = _ => 5,
    };

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seed of the folds, the validation split, initialization and shuffling.",
        DefaultValueFactory = _ => 1,
    };

    private readonly Option<double> _validationFraction = new("--validation")
    {
        Description = "Share of each data set held out for early stopping.",
        DefaultValueFactory = _ => 0.1,
    };

    private readonly Option<int?> _limit = new("--limit") { Description = "Use only N images of each data set (a seeded sample), e.g. for a quick run." };

    private readonly Option<string> _cache = new("--cache")
    {
        Description = "Feature cache folder.",
        DefaultValueFactory = _ => Path.Combine("models", "cache", "features"),
    };

    private readonly Option<float> _view = new("--view")
    {
        Description = "Aligned data sets: crop side as a multiple of the image side (as in eval).",
        DefaultValueFactory = _ => 1.4f,
    };

    private readonly Option<string> _model = new("--model")
    {
        Description = "faceres-deep's ONNX file in the models folder or a path (the float model, its int8 build or a fine-tuned one).",
        DefaultValueFactory = _ => "faceres-deep.onnx",
    };

    private readonly Option<int> _hidden = new("--hidden") { Description = "Hidden units (0 = linear heads).", DefaultValueFactory = _ => Defaults.Hidden };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Most epochs.", DefaultValueFactory = _ => Defaults.MaxEpochs };

    private readonly Option<int> _patience = new("--patience")
    {
        Description = "Early-stopping patience in epochs.",
        DefaultValueFactory = _ => Defaults.Patience,
    };

    private readonly Option<int> _batch = new("--batch-size")
    {
        Description = "Rows (image views) per optimizer step.",
        DefaultValueFactory = _ => Defaults.BatchSize,
    };

    private readonly Option<double> _learningRate = new("--learning-rate")
    {
        Description = "AdamW learning rate.",
        DefaultValueFactory = _ => Defaults.LearningRate,
    };

    private readonly Option<double> _weightDecay = new("--weight-decay")
    {
        Description = "AdamW decoupled weight decay (weights, not biases).",
        DefaultValueFactory = _ => Defaults.WeightDecay,
    };

    private readonly Option<double> _sigma = new("--age-sigma")
    {
        Description = "Width (years) of the soft age targets.",
        DefaultValueFactory = _ => Defaults.AgeSigma,
    };

    private readonly Option<double> _expectation = new("--expectation-weight")
    {
        Description = "Weight of the L1 loss on the expected age.",
        DefaultValueFactory = _ => Defaults.ExpectationWeight,
    };

    private readonly Option<double> _reweight = new("--age-reweight")
    {
        Description = "Age re-weighting power (0 none, 1 balanced).",
        DefaultValueFactory = _ => Defaults.AgeReweightPower,
    };

    private readonly Option<double> _balance = new("--dataset-balance")
    {
        Description = "Data-set weighting power (0 = by size, 1 = each data set the same total weight).",
        DefaultValueFactory = _ => Defaults.DatasetBalance,
    };

    private readonly Option<double> _dropout = new("--dropout") { Description = "Input dropout.", DefaultValueFactory = _ => Defaults.InputDropout };

    private readonly Option<string?> _predictions = new("--predictions")
    {
        Description = "Write the cross-validated prediction of every image (best feature set) as CSV.",
    };

    public void AddTo(Command command)
    {
        Option[] own =
        [
            _labels, _mode, _features, _output, _folds, _seed, _validationFraction, _limit, _cache, _view, _model,
            _hidden, _epochs, _patience, _batch, _learningRate, _weightDecay, _sigma, _expectation, _reweight, _balance, _dropout, _predictions,
        ];
        foreach (var o in own) command.Options.Add(o);
        // Of the analysis options these matter: where the models are, the detector and margin of detect-mode crops, and the mirror.
        var s = _settings;
        foreach (var o in new Option[] { s.Config, s.Models, s.Detector, s.DetectorModel, s.Threshold, s.Tiles, s.Margin, s.Flip }) command.Options.Add(o);
    }

    public TrainArguments Read(ParseResult parse)
    {
        var head = HeadOptions(parse);
        var errors = head.Validate().ToList();
        int folds = parse.GetValue(_folds);
        if (folds is 1 or < 0) errors.Add($"--folds must be 0 (skip) or ≥ 2, got {folds}.");
        var candidates = parse.GetValue(_features)!;
        if (candidates.Length > 1 && folds == 0) errors.Add("--features with several sets needs --folds ≥ 2 to choose between them.");
        double validationFraction = parse.GetValue(_validationFraction);
        if (validationFraction is <= 0 or >= 0.5) errors.Add($"--validation must be in (0, 0.5), got {validationFraction}.");
        float view = parse.GetValue(_view);
        if (view is <= 0.2f or > 2f) errors.Add($"--view must be in (0.2, 2], got {view}.");
        var outFile = parse.GetValue(_output)!;
        if (!outFile.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) errors.Add($"--out must name an .onnx file, got '{outFile}'.");
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));

        var analysis = _settings.Load(parse) with { AgeGenderHead = null, FaceCheck = "" };
        var sets = candidates.Select(c => analysis.FeatureSets?.GetValueOrDefault(c) is { } named ? FeatureSet.Parse(named) : FeatureSet.Parse(c)).ToList();
        return new TrainArguments(analysis, head, sets, parse.GetValue(_labels)!, parse.GetValue(_mode)!, outFile, folds, parse.GetValue(_seed),
            validationFraction, parse.GetValue(_limit), parse.GetValue(_cache)!, view, parse.GetValue(_model)!, parse.GetValue(_predictions));
    }

    private HeadTrainingOptions HeadOptions(ParseResult parse) => new()
    {
        Hidden = parse.GetValue(_hidden), MaxEpochs = parse.GetValue(_epochs), Patience = parse.GetValue(_patience), BatchSize = parse.GetValue(_batch),
        LearningRate = parse.GetValue(_learningRate), WeightDecay = parse.GetValue(_weightDecay), AgeSigma = parse.GetValue(_sigma),
        ExpectationWeight = parse.GetValue(_expectation), AgeReweightPower = parse.GetValue(_reweight), DatasetBalance = parse.GetValue(_balance),
        InputDropout = parse.GetValue(_dropout), Seed = parse.GetValue(_seed),
    };
}

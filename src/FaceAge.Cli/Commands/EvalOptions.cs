using System.CommandLine;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>What `faceage eval` is asked to do: its options' values, checked.</summary>
/// <param name="CompareModel">--compare: the second configuration's age/gender model.</param>
/// <param name="CompareHead">--compare-head as given ('none' = the model's own outputs).</param>
/// <param name="Own">Face models whose own age/gender outputs are scored too.</param>
internal sealed record EvalArguments(
    AnalyzerOptions Analysis, IReadOnlyList<string> Labels, IReadOnlyList<CropMode> Modes, int? Limit, int Seed, float View,
    string? PredictionsFile, string JsonFile, string? ReportFolder, string? CompareModel, string? CompareHead, IReadOnlyList<string> Own);

/// <summary>The options of `faceage eval`, read into <see cref="EvalArguments"/>.</summary>
internal sealed class EvalOptions
{
    private readonly AnalysisSettings _settings = new();

    private readonly Option<string[]> _labels = new("--labels")
    {
        Description = "Labels, one or more data sets: a CSV (header 'path' and any of 'age', 'age_group', 'gender', 'subject'; paths relative to the CSV), "
            + "a folder of UTKFace-named images (age_gender_race_date.jpg), or a folder with one sub-folder per age. "
            + "Several give one row per data set in a cross-dataset table.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<CropMode[]> _mode = new("--mode")
    {
        Description = "Per data set (one value for all, or one per --labels): Aligned: images are face crops (no detection). "
            + "Detect: find the largest face first; misses are counted.",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [CropMode.Aligned],
    };

    private readonly Option<int?> _limit = new("--limit") { Description = "Evaluate only the first N rows of each data set (after shuffling with --seed)." };
    private readonly Option<int> _seed = new("--seed") { Description = "Shuffle seed used with --limit.", DefaultValueFactory = _ => 1 };

    private readonly Option<float> _view = new("--view")
    {
        Description = "Aligned mode: crop side as a multiple of the image side, centred "
            + "(1 = whole image; the default 1.4 adds 20 % replicated border per side, the best MAE on utkface-dev).",
        DefaultValueFactory = _ => 1.4f,
    };

    private readonly Option<string?> _predictions = new("--predictions")
    {
        Description = "Also write one CSV row per image: data set, path, subject, true age or group, predicted age and its ±, true gender, P(male), "
            + "and where the face crop lies in the image (centre, side, rotation).",
    };

    private readonly Option<string> _json = CommonOptions.JsonSummary("eval-summary.json");

    private readonly Option<string?> _report = new("--report")
    {
        Description = "Also write a report folder: report.md and PNG plots (predicted vs true age, MAE by decade, gender calibration).",
    };

    private readonly Option<string?> _compare = new("--compare")
    {
        Description = "A second age/gender model (file in the models folder, or a path) run on the same images; results side by side.",
    };

    private readonly Option<string?> _compareHead = new("--compare-head")
    {
        Description = "The second configuration's trained head ('none' = the model's own outputs); with or without --compare.",
    };

    private readonly Option<string[]> _own = new("--own")
    {
        Description = "Also score these face models' own age/gender outputs on the same crops, one configuration each "
            + $"({string.Join(", ", FaceModelRegistry.All.Select(m => m.Name))}).",
        AllowMultipleArgumentsPerToken = true,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _labels, _mode, _limit, _seed, _view, _predictions, _json, _report, _compare, _compareHead, _own })
            command.Options.Add(o);
        _settings.AddTo(command);
    }

    public EvalArguments Read(ParseResult parse)
    {
        var analysis = _settings.Load(parse);
        float view = parse.GetValue(_view);
        if (view is <= 0.2f or > 2f) throw new ArgumentException($"--view must be in (0.2, 2], got {view}.");
        return new EvalArguments(analysis, parse.GetValue(_labels)!, parse.GetValue(_mode)!, parse.GetValue(_limit), parse.GetValue(_seed), view,
            parse.GetValue(_predictions), parse.GetValue(_json)!, parse.GetValue(_report), parse.GetValue(_compare), parse.GetValue(_compareHead),
            parse.GetValue(_own) ?? []);
    }
}

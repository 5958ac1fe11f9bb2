using FaceAge.Core.Analysis;
using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Worker.Configuration;

/// <summary>
/// How a window's figures are made (section "Statistics"): expected counts with 90 % intervals from each person's
/// probabilities, widened by the estimator's measured systematic error (its error model), and optionally corrected for
/// its measured confusion (docs/accuracy.md, "Window figures").
/// </summary>
public sealed record StatisticsOptions
{
    /// <summary>
    /// The estimator's error model (`faceage bench shares --error-model`), relative to the models folder. "auto" (the
    /// default): the one committed beside the worker's head (`&lt;head&gt;.shares.json`, e.g. heads/age-gender-lite.shares.json)
    /// when it exists and was measured for the configured age groups; "" = none: the intervals then hold only what the
    /// per-person probabilities say, and nothing is corrected.
    /// </summary>
    public string ErrorModel { get; init; } = Auto;
    public const string Auto = "auto";

    /// <summary>Also publish the expected counts corrected for the estimator's measured confusion (needs an error model).</summary>
    public bool Correct { get; init; }

    /// <summary>The error model to use and where it came from (for the start-up log); a set file that fails to load is an error naming it.</summary>
    public sealed record Choice(AudienceErrorModel? Model, string Source);

    /// <summary>The error model for <paramref name="analysis"/>'s head and age groups (<see cref="ErrorModel"/>); errors name the file.</summary>
    public Choice ChooseErrorModel(AnalyzerOptions analysis)
    {
        var bounds = new AgeGroups(analysis.EffectiveAgeGroups).LowerBounds;
        var folder = ModelDirectory.Locate(analysis.ModelsDirectory);
        string Resolve(string file) => System.IO.Path.IsPathRooted(file) ? file : System.IO.Path.Combine(folder, file);
        if (ErrorModel.Length == 0) return new(null, "none (Statistics:ErrorModel is empty)");
        if (ErrorModel != Auto) return new(AudienceErrorModel.Load(Resolve(ErrorModel), bounds), ErrorModel);
        if (analysis.AgeGenderHead is not { Length: > 0 } head) return new(null, "none (no trained head, so no error model beside it)");
        var beside = System.IO.Path.ChangeExtension(head, ".shares.json");
        if (!File.Exists(Resolve(beside))) return new(null, $"none ({beside} does not exist)");
        var model = AudienceErrorModel.Read(Resolve(beside));
        return model.AgeGroupBounds.SequenceEqual(bounds)
            ? new(model, $"{beside} (beside the head)")
            : new(null, $"none ({beside} was measured for other age groups than Analysis:AgeGroups)");
    }

    /// <summary>The error model, or null when none applies (<see cref="ChooseErrorModel"/>).</summary>
    public AudienceErrorModel? LoadErrorModel(AnalyzerOptions analysis) => ChooseErrorModel(analysis).Model;

    public IEnumerable<string> Validate(string prefix = "Statistics")
    {
        if (Correct && ErrorModel.Length == 0) yield return $"{prefix}:Correct needs {prefix}:ErrorModel (the confusion to correct with).";
    }
}

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
    /// The estimator's error model (`faceage bench shares --error-model`), relative to the models folder; "" = none: the
    /// intervals then hold only what the per-person probabilities say, and nothing is corrected.
    /// </summary>
    public string ErrorModel { get; init; } = "";

    /// <summary>Also publish the expected counts corrected for the estimator's measured confusion (needs an error model).</summary>
    public bool Correct { get; init; }

    /// <summary>The error model from the models folder, for the configured age groups; null when none is set. Errors name the file.</summary>
    public AudienceErrorModel? LoadErrorModel(AnalyzerOptions analysis)
    {
        if (ErrorModel is not { Length: > 0 } file) return null;
        var path = System.IO.Path.IsPathRooted(file) ? file : System.IO.Path.Combine(ModelDirectory.Locate(analysis.ModelsDirectory), file);
        return AudienceErrorModel.Load(path, new AgeGroups(analysis.EffectiveAgeGroups).LowerBounds);
    }

    public IEnumerable<string> Validate(string prefix = "Statistics")
    {
        if (Correct && ErrorModel.Length == 0) yield return $"{prefix}:Correct needs {prefix}:ErrorModel (the confusion to correct with).";
    }
}

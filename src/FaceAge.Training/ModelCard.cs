using System.Globalization;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>
/// What a trained head was made from and how well it did, written as JSON and Markdown beside the head: the command,
/// the face models it reads (with their SHA-256), each data set (size, labels, terms), the seed and hyper-parameters,
/// the validation and cross-validation figures per data set, the ± calibration and the cost per face.
/// </summary>
public sealed record ModelCard(
    string Head, string HeadSha256, DateTimeOffset Created, string Command, string Features, string FeatureLayout,
    IReadOnlyList<ModelCard.ModelFile> Models, float View, float CropMargin, bool Flip, IReadOnlyList<ModelCard.DataSummary> Data, int Seed,
    double ValidationFraction, HeadTrainingOptions HyperParameters, int BestEpoch, double UncertaintyScale,
    IReadOnlyList<ModelCard.DatasetMetrics> Validation, ModelCard.CrossValidated? CrossValidation, double MillisecondsPerFace, string Licence)
{
    public sealed record ModelFile(string Name, string File, string Sha256);

    public sealed record DataSummary(string Name, string Labels, string Mode, int Images, int Misses, int WithAge, int WithAgeGroup, int WithGender,
        int Male, int Female, int Subjects, double? MinAge, double? MaxAge, string? Terms);

    public sealed record DatasetMetrics(string Dataset, AgeGenderMetrics Metrics);

    public sealed record CrossValidated(int Folds, int Seed, IReadOnlyList<DatasetMetrics> Metrics, IReadOnlyList<FoldResult> PerFold);

    /// <summary>The backbone a head needs in place of the configured model (a fine-tuned one), and its SHA-256; null for any faceres-deep.</summary>
    public string? Backbone { get; init; }
    public string? BackboneSha256 { get; init; }

    /// <summary>The data set's name: the labels folder, or the folder of the labels file.</summary>
    public static string DataNameOf(string labels)
    {
        var full = Path.GetFullPath(labels);
        return Directory.Exists(full) ? Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)) : Path.GetFileName(Path.GetDirectoryName(full)!);
    }

    public static DataSummary Summarize(LabeledDataset set, IReadOnlyList<LabeledFace> used, int misses)
    {
        var ages = used.Where(f => f.Age is not null).Select(f => f.Age!.Value).ToList();
        return new DataSummary(set.Name, set.Labels, set.Mode.ToString().ToLowerInvariant(), used.Count, misses, ages.Count,
            used.Count(f => f.AgeGroup is not null),
            used.Count(f => f.Gender is not null), used.Count(f => f.Gender == Gender.Male), used.Count(f => f.Gender == Gender.Female),
            used.Select(f => f.Subject).Where(s => s is not null).Distinct().Count(), ages.Count > 0 ? ages.Min() : null, ages.Count > 0 ? ages.Max() : null,
                set.Terms);
    }

    /// <summary>The terms the head inherits: every data set's, the strictest first.</summary>
    public static string LicenceOf(IReadOnlyList<DataSummary> data)
    {
        var terms = data.Select(d => d.Terms ?? $"{d.Name}: under that data's own terms.").Distinct().ToList();
        bool restricted = terms.Any(t => t.Contains("non-commercial", StringComparison.OrdinalIgnoreCase)
            || t.Contains("research use only", StringComparison.OrdinalIgnoreCase));
        return (restricted ? "Derived from research-only data: use this head for non-commercial research only. "
            : "Derived from the data below: use it under their terms. ")
            + string.Join(" ", terms);
    }

    private static readonly JsonSerializerOptions CardJson = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes &lt;stem&gt;.card.json and &lt;stem&gt;.card.md for the head file.</summary>
    public void Write(string stem, string headFile)
    {
        var card = this with { Head = Path.GetFileName(headFile), HeadSha256 = ModelIntegrity.Sha256Of(headFile) };
        File.WriteAllText(stem + ".card.json", JsonSerializer.Serialize(card, CardJson) + "\n");
        File.WriteAllText(stem + ".card.md", card.Markdown());
    }

    public string Markdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Model card: {Head}");
        md.AppendLine();
        md.AppendLine(c, $"An age/gender head trained by `faceage train` on the frozen features of {string.Join(", ", Models.Select(m => $"`{m.Name}`"))}.");
        md.AppendLine(c, $"Head file SHA-256 `{HeadSha256}`. Made by:");
        md.AppendLine();
        md.AppendLine(c, $"    {Command}");
        md.AppendLine();
        md.AppendLine("## Face models (features, in order)");
        foreach (var m in Models) md.AppendLine(c, $"- `{m.Name}`: `{m.File}`, SHA-256 `{m.Sha256}`");
        if (Backbone is not null) md.AppendLine(c, $"- fine-tuned backbone `{Backbone}`, SHA-256 `{BackboneSha256}` (goes with this head)");
        md.Append(c, $"- Layout: `{FeatureLayout}`. ")
            .AppendLine(c, $"Cost: {MillisecondsPerFace:0.0} ms per face for all models, on the machine that trained it (one view).");
        md.AppendLine();
        md.AppendLine("## Data");
        md.AppendLine("| data set | crops | images | no face found | exact ages | age groups | genders (M/F) | subjects | ages | terms |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var d in Data)
            md.Append(c, $"| {d.Name} | {d.Mode} | {d.Images} | {d.Misses} | {d.WithAge} | {d.WithAgeGroup} | {d.WithGender} ({d.Male}/{d.Female}) | ")
                .AppendLine(c, $"{(d.Subjects > 0 ? d.Subjects : "–")} | {(d.MinAge is { } lo ? $"{lo}–{d.MaxAge}" : "–")} | {d.Terms ?? "–"} |");
        md.AppendLine();
        md.Append(c, $"Crops: aligned chips at view {View}; detected faces with margin {CropMargin}; ")
            .Append(c, $"{(Flip ? "each image and its mirror" : "images only, no mirror")}. ")
            .AppendLine(c, $"Seed {Seed}; {ValidationFraction:P0} of each data set (whole subjects) held out for early stopping.");
        md.AppendLine();
        md.AppendLine("## Licence");
        md.AppendLine(Licence);
        md.AppendLine();
        md.AppendLine("## Model");
        var h = HyperParameters;
        md.Append(c, $"- Input: the features above (standardized). {(h.Hidden > 0 ? $"Shared hidden layer of {h.Hidden} ReLU units" : "Linear heads")}; ")
            .Append(c, $"age: softmax over 0–120 (label-distribution learning: Gaussian targets σ = {h.AgeSigma} years for exact ages, ")
            .AppendLine(c, $"−log P(group) for age groups, plus {h.ExpectationWeight} × L1 on the expected age); gender: logistic.");
        md.Append(c, $"- AdamW, learning rate {h.LearningRate}, weight decay {h.WeightDecay}, batch {h.BatchSize}, input dropout {h.InputDropout}, ")
            .Append(c, $"age re-weighting power {h.AgeReweightPower}, data-set balance {h.DatasetBalance}, at most {h.MaxEpochs} epochs, ")
            .AppendLine(c, $"patience {h.Patience}; best epoch {BestEpoch} (by the per-data-set validation score).");
        if (CrossValidation is null)
        {
            md.Append(c, $"- Stated ± = {UncertaintyScale:0.000} × the standard deviation of the age distribution, not fitted (no ")
                .AppendLine("cross-validation: --folds 0); the ± coverage column below shows how it holds.");
        }
        else
        {
            md.Append(c, $"- Stated ± = {UncertaintyScale:0.000} × the standard deviation of the age distribution: fitted on the cross-validated ")
                .Append(c, $"predictions to hold the true age for {Core.Estimation.AgeUncertainty.ClaimedCoverage:P0} of faces ")
                .AppendLine("(each data set weighing the same).");
        }
        md.AppendLine();
        if (CrossValidation is { } cv)
        {
            md.Append(c, $"## {cv.Folds}-fold cross-validation (seed {cv.Seed}; ")
                .AppendLine("every image predicted by a head that never saw it, one person's photos in one fold)");
            md.AppendLine();
            AppendTable(md, cv.Metrics);
            foreach (var (name, m) in cv.Metrics.Where(x => x.Metrics.HasAges).Select(x => (x.Dataset, x.Metrics)))
            {
                md.AppendLine();
                var decades = m.ByDecade.Select(d => string.Create(c, $"{d.Decade} {d.Mae:0.00} ({d.MeanSignedError:+0.0;-0.0;+0.0}, n {d.N})"));
                md.AppendLine(c, $"{name}, MAE per decade: {string.Join(", ", decades)}.");
            }
            md.AppendLine();
        }
        md.AppendLine("## Validation (the held-out early-stopping images; they picked the epoch, so this is slightly optimistic)");
        md.AppendLine();
        AppendTable(md, Validation);
        md.AppendLine();
        md.AppendLine(c, $"Use: set `Analysis:AgeGenderHead` (CLI) or `Pipeline:AgeGenderHead` (worker) to `heads/{Head}`; see docs/accuracy.md.");
        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, IReadOnlyList<DatasetMetrics> rows)
    {
        var c = CultureInfo.InvariantCulture;
        static string F(double v, string f) => double.IsNaN(v) ? "–" : v.ToString(f, CultureInfo.InvariantCulture);
        md.AppendLine("| data set | n | age MAE | CS@5 | 0-12 signed | group hit | interval MAE | gender | ± coverage |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, m) in rows.Select(r => (r.Dataset, r.Metrics)))
            md.Append(c, $"| {name} | {m.Scored} | {F(m.Mae, "0.00")} | {(m.HasAges ? m.CumulativeScore5.ToString("P1", c) : "–")} | ")
                .Append(c, $"{F(m.ChildrenSignedError, "+0.00;-0.00")} | {m.AgeGroupAccuracy?.ToString("P1", c) ?? "–"} | ")
                .Append(c, $"{m.IntervalMae?.ToString("0.00", c) ?? "–"} | {(m.HasGender ? m.GenderAccuracy.ToString("P1", c) : "–")} | ")
                .AppendLine(c, $"{(m.Coverage ?? m.GroupCoverage)?.ToString("P1", c) ?? "–"} |");
    }
}

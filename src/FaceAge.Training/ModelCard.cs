using FaceAge.Core.ModelFiles;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>What a trained head was made from and how well it did: written as JSON and Markdown beside the head.</summary>
public sealed record ModelCard(
    string Head, string HeadSha256, DateTimeOffset Created, string Backbone, string BackboneSha256, string FeatureLayout, float View, bool Flip,
    ModelCard.DataSummary Data, int Seed, double ValidationFraction, HeadTrainingOptions HyperParameters, int BestEpoch,
    AgeGenderMetrics Validation, object? CrossValidation, string Licence, LastBlockOptions? LastBlock = null)
{
    public sealed record DataSummary(string Name, string Labels, int Images, int Male, int Female, double MinAge, double MaxAge, double MeanAge);

    public const string UtkFaceLicence = "Trained on images of the UTKFace dataset (https://susanqq.github.io/UTKFace/), which is available for " +
        "non-commercial research purposes only; the copyright of the images belongs to their owners. This head is derived from that data: " +
        "use it under the same non-commercial research terms.";

    public static ModelCard Create(string labels, string backbone, float view, bool flip, IReadOnlyList<LabeledFace> faces, int seed, double validationFraction,
        HeadTrainingOptions options, int bestEpoch, AgeGenderMetrics validation, object? crossValidation, LastBlockOptions? lastBlock = null)
    {
        var full = Path.GetFullPath(labels);
        string name = DataNameOf(labels);
        var ages = faces.Select(f => f.Age!.Value).ToList();
        var data = new DataSummary(name, labels, faces.Count, faces.Count(f => f.Gender == Gender.Male), faces.Count(f => f.Gender == Gender.Female),
            ages.Min(), ages.Max(), Math.Round(ages.Average(), 2));
        bool utk = full.Contains("utkface", StringComparison.OrdinalIgnoreCase);
        return new ModelCard("", "", DateTimeOffset.UtcNow, Path.GetFileName(backbone), ModelIntegrity.Sha256Of(backbone), BackboneFeatures.Layout, view, flip, data,
            seed, validationFraction, options, bestEpoch, validation, crossValidation,
            utk ? UtkFaceLicence : "Derived from the training data named above: use it under that data's terms.", lastBlock);
    }

    /// <summary>The data set's name: the labels folder, or the folder of the labels file.</summary>
    public static string DataNameOf(string labels)
    {
        var full = Path.GetFullPath(labels);
        return Directory.Exists(full) ? Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)) : Path.GetFileName(Path.GetDirectoryName(full)!);
    }

    /// <summary>Writes &lt;stem&gt;.card.json and &lt;stem&gt;.card.md for the head file.</summary>
    public void Write(string stem, string headFile)
    {
        var card = this with { Head = Path.GetFileName(headFile), HeadSha256 = ModelIntegrity.Sha256Of(headFile) };
        var json = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        File.WriteAllText(stem + ".card.json", JsonSerializer.Serialize(card, json));
        File.WriteAllText(stem + ".card.md", card.Markdown());
    }

    public string Markdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Model card: {Head}");
        md.AppendLine();
        if (LastBlock is null) md.AppendLine(c, $"An age/gender head trained by `faceage train` on the frozen `{Backbone}` backbone (SHA-256 `{BackboneSha256}`).");
        else md.AppendLine(c, $"An age/gender head trained by `faceage train --tune-last-block` together with its backbone `{Backbone}` (SHA-256 `{BackboneSha256}`): faceres-deep with its last block fine-tuned; the two go together.");
        md.AppendLine(c, $"Head file SHA-256 `{HeadSha256}`, created {Created:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine("## Data");
        md.AppendLine(c, $"- {Data.Name} (`{Data.Labels}`): {Data.Images} images, {Data.Male} male, {Data.Female} female, ages {Data.MinAge}–{Data.MaxAge} (mean {Data.MeanAge}).");
        md.AppendLine(c, $"- Aligned crops, view {View} (crop side / image side), {(Flip ? "each image and its mirror" : "images only, no mirror")}.");
        md.AppendLine(c, $"- Split: seed {Seed}; {ValidationFraction:P0} of the images held out for early stopping (listed in `{Path.GetFileNameWithoutExtension(Head)}.validation.txt`).");
        md.AppendLine();
        md.AppendLine("## Licence");
        md.AppendLine(Licence);
        md.AppendLine();
        md.AppendLine("## Model");
        var h = HyperParameters;
        md.AppendLine(c, $"- Input: {FeatureLayout} (standardized). {(h.Hidden > 0 ? $"Shared hidden layer of {h.Hidden} ReLU units" : "Linear heads")}; age: softmax over 0–120 (label-distribution learning, Gaussian targets σ = {h.AgeSigma} years, plus {h.ExpectationWeight} × L1 on the expected age); gender: logistic.");
        if (LastBlock is { } b)
            md.AppendLine(c, $"- Last block (conv_pw_13) fine-tuned after a head-only stage: rank-{b.Rank} update of its 1×1 weights plus per-channel gain and shift, folded into the weights; learning rate {b.LearningRate}, at most {b.MaxEpochs} epochs, patience {b.Patience}, one random view per image per epoch.");
        md.AppendLine(c, $"- AdamW, learning rate {h.LearningRate}, weight decay {h.WeightDecay}, batch {h.BatchSize}, input dropout {h.InputDropout}, age re-weighting power {h.AgeReweightPower}, at most {h.MaxEpochs} epochs, patience {h.Patience}; best epoch {BestEpoch}.");
        md.AppendLine();
        md.AppendLine("## Validation (the held-out early-stopping images; they picked the epoch, so this is slightly optimistic)");
        md.AppendLine(c, $"n {Validation.N}: age MAE {Validation.Mae:0.00}, RMSE {Validation.Rmse:0.00}, R² {Validation.R2:0.000}, CS@5 {Validation.CumulativeScore5:P1}, gender accuracy {Validation.GenderAccuracy:P1}.");
        if (CrossValidation is not null)
        {
            var cv = JsonSerializer.SerializeToElement(CrossValidation);
            var m = cv.GetProperty("metrics");
            md.AppendLine();
            md.AppendLine(c, $"## {cv.GetProperty("folds").GetInt32()}-fold cross-validation (seed {cv.GetProperty("seed").GetInt32()})");
            md.AppendLine(c, $"Every image predicted by a head that never saw it: n {m.GetProperty("N").GetInt32()}, age MAE {m.GetProperty("Mae").GetDouble():0.00}, RMSE {m.GetProperty("Rmse").GetDouble():0.00}, R² {m.GetProperty("R2").GetDouble():0.000}, CS@5 {m.GetProperty("CumulativeScore5").GetDouble():P1}, gender accuracy {m.GetProperty("GenderAccuracy").GetDouble():P1}.");
            md.AppendLine();
            md.AppendLine("| decade | n | MAE | mean signed error |");
            md.AppendLine("|---|---|---|---|");
            foreach (var d in m.GetProperty("ByDecade").EnumerateArray())
                md.AppendLine(c, $"| {d.GetProperty("Decade").GetString()} | {d.GetProperty("N").GetInt32()} | {d.GetProperty("Mae").GetDouble():0.00} | {d.GetProperty("MeanSignedError").GetDouble():+0.00;-0.00} |");
        }
        md.AppendLine();
        md.AppendLine(c, $"Use: set `Analysis:AgeGenderHead` (CLI) or `Pipeline:AgeGenderHead` (worker) to `heads/{Head}`; see docs/accuracy.md.");
        return md.ToString();
    }
}

using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class EvalCommandTests
{
    [SharedDataFact]
    public void Eval_on_a_utkface_subset_prints_the_metrics_and_writes_a_summary()
    {
        var json = Path.Combine(Path.GetTempPath(), $"faceage-eval-{Guid.NewGuid():N}.json");
        var labels = Path.Combine(RepoPaths.Shared, "datasets", "utkface-dev", "labels.csv");
        var result = CliRunner.Run("eval", "--labels", labels, "--limit", "300", "--json", json);
        Assert.Equal(0, result.ExitCode);
        foreach (var line in new[] { "age MAE", "age RMSE", "age R²", "CS@5", "gender accuracy", "MAE per decade" })
            Assert.Contains(line, result.Stdout);
        using var summary = JsonDocument.Parse(File.ReadAllText(json));
        var metrics = Metrics(summary, 0);
        Assert.Equal(300, metrics.GetProperty("N").GetInt32());
        // A sanity band only; the full-split figures are measured by the eval command itself (docs/accuracy.md).
        Assert.InRange(metrics.GetProperty("Mae").GetDouble(), 2, 8);
        Assert.InRange(metrics.GetProperty("GenderAccuracy").GetDouble(), 0.85, 1);
    }

    [SharedDataFact]
    public void One_command_scores_three_data_sets_each_by_the_labels_it_has_in_one_cross_dataset_table()
    {
        var json = Path.Combine(Path.GetTempPath(), $"faceage-eval-{Guid.NewGuid():N}.json");
        var data = Path.Combine(RepoPaths.Shared, "datasets");
        var result = CliRunner.Run("eval", "--labels", Path.Combine(data, "utkface-dev", "labels.csv"), Path.Combine(data, "fairface-dev", "labels.csv"),
            Path.Combine(data, "fgnet-dev", "labels.csv"), "--mode", "aligned", "detect", "detect", "--limit", "40", "--json", json);

        Assert.Equal(0, result.ExitCode);
        // Nothing is printed that the labels cannot give: no NaN, no "n 0", no 0.0 % group accuracy from foreign groups.
        Assert.DoesNotContain("NaN", result.Stdout);
        Assert.DoesNotContain("n=0", result.Stdout);
        Assert.Contains("| data set | configuration | faces |", result.Stdout);
        // The default configuration: faceres-deep with the committed head.
        foreach (var name in new[] { "utkface-dev", "fairface-dev", "fgnet-dev" }) Assert.Contains($"| {name} | faceres-deep + age-gender-lite |",
            result.Stdout);
        Assert.Contains("age/gender cost per face", result.Stdout);
        var fairface = result.Stdout[
            result.Stdout.IndexOf("== fairface-dev", StringComparison.Ordinal)..result.Stdout.IndexOf("== fgnet-dev", StringComparison.Ordinal)];
        Assert.DoesNotContain("age MAE", fairface);
        Assert.Contains("age group hit", fairface);
        Assert.Contains("interval MAE", fairface);
        Assert.Contains("per age group:", fairface);
        var fgnet = result.Stdout[result.Stdout.IndexOf("== fgnet-dev", StringComparison.Ordinal)..];
        Assert.DoesNotContain("gender accuracy", fgnet);
        Assert.Contains("children 0-12", fgnet);

        using var summary = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(["utkface-dev", "fairface-dev", "fgnet-dev"],
            summary.RootElement.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.All(summary.RootElement.GetProperty("datasets").EnumerateArray(),
            d => Assert.True(d.GetProperty("results")[0].GetProperty("msPerFace").GetDouble() > 0));
        var groups = Metrics(summary, 1);
        Assert.Equal(0, groups.GetProperty("N").GetInt32());
        Assert.InRange(groups.GetProperty("AgeGroupN").GetInt32(), 35, 40);
        // A sanity band: better than the 1-in-9 chance of guessing a FairFace group.
        Assert.InRange(groups.GetProperty("AgeGroupAccuracy").GetDouble(), 0.15, 1);
        Assert.InRange(groups.GetProperty("GenderAccuracy").GetDouble(), 0.6, 1);
        var ages = Metrics(summary, 2);
        Assert.Equal(0, ages.GetProperty("GenderN").GetInt32());
        Assert.InRange(ages.GetProperty("Mae").GetDouble(), 1, 12);
        Assert.InRange(ages.GetProperty("Coverage").GetDouble(), 0.2, 1);
    }

    internal static JsonElement Metrics(JsonDocument summary, int dataset, int configuration = 0)
        => summary.RootElement.GetProperty("datasets")[dataset].GetProperty("results")[configuration].GetProperty("metrics");
}

public class EvalReportTests
{
    [SharedDataFact]
    public void Compare_runs_two_models_on_the_same_images_and_the_report_has_both_with_plots()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-report").FullName;
        var labels = Path.Combine(RepoPaths.Shared, "datasets", "utkface-dev", "labels.csv");
        var result = CliRunner.Run("eval", "--labels", labels, "--limit", "60", "--compare", "faceres-deep-int8.onnx",
            "--json", Path.Combine(dir, "summary.json"), "--report", Path.Combine(dir, "report"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("| metric | faceres-deep + age-gender-lite | faceres-deep-int8 + age-gender-lite |", result.Stdout);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var compared = summary.RootElement.GetProperty("datasets")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["faceres-deep.onnx", "faceres-deep-int8.onnx"], compared.Select(c => c.GetProperty("model").GetString()));
        Assert.All(compared, c => Assert.Equal(60, c.GetProperty("metrics").GetProperty("N").GetInt32()));
        Assert.Equal(2, compared[0].GetProperty("metrics").GetProperty("ByGender").GetArrayLength());
        var report = File.ReadAllText(Path.Combine(dir, "report", "report.md"));
        Assert.Contains("| age MAE |", report);
        Assert.Contains("## MAE per decade", report);
        foreach (var png in new[] { "predicted-vs-true.png", "mae-by-decade.png", "gender-calibration.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, "report", png));
            Assert.True(bytes.Length > 5000, $"{png} is {bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.Contains($"]({png})", report);
        }
    }
}

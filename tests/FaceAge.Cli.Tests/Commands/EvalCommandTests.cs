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
        var metrics = summary.RootElement.GetProperty("metrics");
        Assert.Equal(300, metrics.GetProperty("N").GetInt32());
        // A sanity band only; the full-split figures are measured by the eval command itself (docs/accuracy.md).
        Assert.InRange(metrics.GetProperty("Mae").GetDouble(), 2, 8);
        Assert.InRange(metrics.GetProperty("GenderAccuracy").GetDouble(), 0.85, 1);
    }
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
        Assert.Contains("| metric | faceres-deep | faceres-deep-int8 |", result.Stdout);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var compared = summary.RootElement.GetProperty("compared").EnumerateArray().ToList();
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

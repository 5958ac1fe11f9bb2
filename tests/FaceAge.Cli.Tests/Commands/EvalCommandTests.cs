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

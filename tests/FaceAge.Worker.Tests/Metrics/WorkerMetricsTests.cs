using FaceAge.Testing;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Tests.Metrics;

public class WorkerMetricsTests
{
    [Fact]
    public void Every_series_the_worker_exports_is_listed_in_the_monitoring_doc_and_every_listed_one_exists()
    {
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        var names = typeof(WorkerMetrics).GetProperties()
            .Select(p => p.GetValue(metrics)).OfType<Prometheus.Collector>().Select(c => c.Name).ToList();
        Assert.True(names.Count > 20, $"only {names.Count} metrics found on WorkerMetrics");

        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "monitoring.md"));
        var listed = System.Text.RegularExpressions.Regex.Matches(doc, @"`(faceage_[a-z_]+)[{`]").Select(m => m.Groups[1].Value).ToHashSet();
        var problems = names.Where(n => !listed.Contains(n)).Select(n => $"not in docs/monitoring.md: {n}")
            .Concat(listed.Where(l => !names.Contains(l)).Select(l => $"in docs/monitoring.md but not exported: {l}")).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Deploy;

/// <summary>
/// deploy/grafana and deploy/prometheus may only name metrics that a running worker really exports:
/// the worker is run on a real video until it has published people, then /metrics is scraped.
/// </summary>
public partial class MonitoringFilesTests
{
    [GeneratedRegex(@"\b(?:faceage|process|dotnet)_[a-z0-9_]+")]
    private static partial Regex MetricName();

    private static string Deploy(params string[] parts) => Path.Combine([RepoPaths.Root, "deploy", .. parts]);

    /// <summary>Every PromQL expression of the dashboard, including template variable queries.</summary>
    private static List<string> DashboardExpressions()
    {
        var root = JsonDocument.Parse(File.ReadAllText(Deploy("grafana", "faceage.json"))).RootElement;
        var exprs = new List<string>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
                exprs.Add(target.GetProperty("expr").GetString()!);
        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
            if (variable.TryGetProperty("definition", out var d)) exprs.Add(d.GetString()!);
        return exprs;
    }

    [Fact]
    public async Task Dashboard_and_alert_rules_use_only_metrics_the_worker_exports()
    {
        var dashboardNames = DashboardExpressions().SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet();
        var alertNames = MetricName().Matches(File.ReadAllText(Deploy("prometheus", "alerts.yml"))).Select(m => m.Value).ToHashSet();
        Assert.True(dashboardNames.Count >= 10, $"dashboard names only {dashboardNames.Count} metrics");

        var video = TestVideos.FromPhotos(["sample3.jpg"], seconds: 4, gap: 1);
        int port = Ports.Free();
        using var worker = WorkerProcess.Start([new { Id = "cam", Url = video, MaxFps = 10 }], port, embeddedBroker: true);
        await using var mqtt = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60));
        await mqtt.WaitUntilAsync(m => m.Json("/cam/person").Any(), TimeSpan.FromSeconds(90), "a person event");
        var scrape = await worker.MetricsAsync();

        // Exported names: every sample's name (histograms add _bucket/_sum/_count) and every TYPE line.
        var exported = scrape.Split('\n')
            .Select(l => l.StartsWith("# TYPE ", StringComparison.Ordinal) ? l.Split(' ')[2] : l.StartsWith('#') ? "" : l.Split('{', ' ')[0])
            .Where(n => MetricName().IsMatch(n))
            .ToHashSet();
        var unknown = dashboardNames.Concat(alertNames).Where(n => !exported.Contains(n)).Distinct().ToList();
        Assert.True(unknown.Count == 0, $"not exported by the worker: {string.Join(", ", unknown)}");
        // And the dashboard covers what operators look at first.
        foreach (var needed in new[] { "faceage_frames_decoded_total", "faceage_frames_dropped_total", "faceage_camera_up", "faceage_camera_reconnects_total",
                     "faceage_inference_seconds_bucket", "faceage_inference_batch_size_sum", "faceage_pipeline_latency_seconds_bucket",
                         "faceage_persons_published_total" })
            Assert.Contains(needed, dashboardNames);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Alert_rules_cover_camera_down_drops_mqtt_failures_and_latency()
    {
        var rules = File.ReadAllText(Deploy("prometheus", "alerts.yml"));
        foreach (var alert in new[] { "FaceAgeCameraDown", "FaceAgeHighDropRatio", "FaceAgeMqttFailures", "FaceAgeLatencyHigh" })
            Assert.Contains($"alert: {alert}", rules);
        Assert.Contains("expr: faceage_camera_up == 0\n        for: 1m", rules);
        Assert.Contains("> 0.1", rules);
        Assert.Contains("faceage_pipeline_latency_seconds_bucket[5m]))) > 1", rules);
        Assert.Contains("rule_files:\n  - alerts.yml", File.ReadAllText(Deploy("prometheus", "prometheus.yml")));
    }
}

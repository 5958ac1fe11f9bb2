using System.Text.RegularExpressions;
using FaceAge.Testing;
using FaceAge.Worker.Configuration;
using Microsoft.Extensions.Configuration;

namespace FaceAge.Worker.Tests.Deploy;

/// <summary>deploy/kubernetes: the settings in the ConfigMap load, and the StatefulSet's replicas split its cameras.</summary>
public partial class KubernetesFilesTests
{
    private static string Read(string file) => File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "kubernetes", file));

    /// <summary>The appsettings.json block of the ConfigMap (a YAML literal block indented by four spaces).</summary>
    private static string ConfigMapSettings()
    {
        var lines = Read("configmap.yaml").Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == "appsettings.json: |") + 1;
        return string.Join('\n', lines.Skip(start).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0).Select(l => l.Length >= 4
            ? l[4..] : l));
    }

    private static WorkerSettings LoadAs(string podName, int replicas)
    {
        var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ConfigMapSettings()));
        var configuration = new ConfigurationBuilder().AddJsonStream(json)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Sharding:PodName"] = podName, ["Sharding:Replicas"] = replicas.ToString() })
            .Build();
        return WorkerSettings.Load(configuration);
    }

    [GeneratedRegex(@"^\s*replicas:\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex SpecReplicas();

    [GeneratedRegex(@"name: FACEAGE_Sharding__Replicas\s+value: ""(\d+)""")]
    private static partial Regex EnvReplicas();

    [Fact]
    public void Every_camera_of_the_config_map_runs_on_exactly_one_replica_of_the_stateful_set()
    {
        var statefulSet = Read("statefulset.yaml");
        int replicas = int.Parse(SpecReplicas().Match(statefulSet).Groups[1].Value);
        Assert.Equal(replicas, int.Parse(EnvReplicas().Match(statefulSet).Groups[1].Value));

        var all = LoadAs("faceage-0", 1).Cameras.Select(c => c.Id).ToList();
        Assert.True(all.Count > replicas, "the example has more cameras than replicas");
        var shares = Enumerable.Range(0, replicas).Select(k => LoadAs($"faceage-{k}", replicas)).ToList();
        Assert.Equal(all.Order(), shares.SelectMany(s => s.Cameras.Select(c => c.Id)).Order());
        Assert.All(shares, s => Assert.NotEmpty(s.Cameras));
        Assert.Equal(replicas, shares.Select(s => s.Mqtt.ClientId).Distinct().Count());
        Assert.Equal(BrokerMode.External, shares[0].Mqtt.Mode);
        Assert.Empty(shares[0].Warnings); // no unknown keys in the ConfigMap
    }

    [Fact]
    public void Stateful_set_probes_health_and_readiness_and_is_scraped_by_annotation()
    {
        var s = Read("statefulset.yaml");
        Assert.Contains("livenessProbe:\n            httpGet: { path: /healthz, port: http }", s);
        Assert.Contains("readinessProbe:\n            httpGet: { path: /readyz, port: http }", s);
        Assert.Contains("prometheus.io/scrape: \"true\"", s);
        Assert.Contains("fieldPath: metadata.name", s); // POD_NAME → this replica's ordinal
        Assert.Contains("secretRef:\n                name: faceage-secrets", s);
        Assert.Contains("runAsNonRoot: true", s);
        Assert.Contains("FACEAGE_Mqtt__Password", Read("secret.yaml"));
    }
}

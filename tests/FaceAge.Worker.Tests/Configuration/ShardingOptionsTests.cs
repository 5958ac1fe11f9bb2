using FaceAge.Worker.Configuration;
using FaceAge.Worker.Sinks.Mqtt;
using Microsoft.Extensions.Configuration;

namespace FaceAge.Worker.Tests.Configuration;

public class ShardingOptionsTests
{
    private static readonly CameraOptions[] Ten = Enumerable.Range(0, 10).Select(i
        => new CameraOptions { Id = $"c{i}", Url = $"rtsp://127.0.0.1/c{i}" }).ToArray();

    [Fact]
    public void Each_camera_goes_to_exactly_one_replica_by_position_mod_replicas()
    {
        var sharding = new ShardingOptions { Replicas = 3 };
        var shares = Enumerable.Range(0, 3).Select(k => sharding.Select(Ten, k).Select(c => c.Id).ToList()).ToList();
        Assert.Equal(["c0", "c3", "c6", "c9"], shares[0]);
        Assert.Equal(["c1", "c4", "c7"], shares[1]);
        Assert.Equal(["c2", "c5", "c8"], shares[2]);
        Assert.Equal(Ten.Select(c => c.Id).Order(), shares.SelectMany(s => s).Order());
    }

    [Fact]
    public void More_replicas_than_cameras_leaves_some_replicas_idle()
    {
        var sharding = new ShardingOptions { Replicas = 4 };
        Assert.Single(sharding.Select(Ten.Take(2).ToList(), 1));
        Assert.Empty(sharding.Select(Ten.Take(2).ToList(), 3));
    }

    [Theory]
    [InlineData("faceage-0", 0)]
    [InlineData("faceage-12", 12)]
    [InlineData("my-face-age-3", 3)]
    [InlineData("faceage", null)]
    [InlineData("faceage-", null)]
    [InlineData("faceage-x1", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Ordinal_is_the_number_after_the_last_dash_of_the_pod_name(string? pod, int? ordinal)
        => Assert.Equal(ordinal, ShardingOptions.OrdinalFromPodName(pod));

    [Fact]
    public void Ordinal_comes_from_setting_then_pod_name_then_environment()
    {
        var env = new Dictionary<string, string?> { ["POD_NAME"] = "faceage-2", ["HOSTNAME"] = "faceage-1" };
        Assert.Equal(1, new ShardingOptions { Replicas = 3, Ordinal = 1, PodName = "faceage-0" }.ResolveOrdinal(env.GetValueOrDefault).Ordinal);
        Assert.Equal(0, new ShardingOptions { Replicas = 3, PodName = "faceage-0" }.ResolveOrdinal(env.GetValueOrDefault).Ordinal);
        Assert.Equal(2, new ShardingOptions { Replicas = 3 }.ResolveOrdinal(env.GetValueOrDefault).Ordinal);
        Assert.Equal(1, new ShardingOptions { Replicas = 3 }.ResolveOrdinal(k => k == "HOSTNAME" ? "faceage-1" : null).Ordinal);
    }

    [Fact]
    public void Unusable_ordinals_are_errors_naming_the_key()
    {
        Assert.Contains("Sharding:Ordinal must be 0–2", new ShardingOptions { Replicas = 3, Ordinal = 3 }.ResolveOrdinal().Error);
        Assert.Contains("Sharding:Replicas is 3", new ShardingOptions { Replicas = 3, PodName = "faceage-5" }.ResolveOrdinal().Error);
        Assert.Contains("does not end in -<ordinal>", new ShardingOptions { Replicas = 3, PodName = "worker" }.ResolveOrdinal(_ => null).Error);
        Assert.Null(new ShardingOptions().ResolveOrdinal(_ => null).Error); // not sharded: nothing to resolve
    }

    [Fact]
    public void Loaded_settings_of_a_replica_hold_its_cameras_and_its_own_mqtt_client_id()
    {
        var data = new Dictionary<string, string?> { ["Sharding:Replicas"] = "2", ["Sharding:PodName"] = "faceage-1", ["Mqtt:ClientId"] = "faceage" };
        for (int i = 0; i < 5; i++) { data[$"Cameras:{i}:Id"] = $"c{i}"; data[$"Cameras:{i}:Url"] = $"rtsp://127.0.0.1/c{i}"; }
        var settings = WorkerSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(data).Build());
        Assert.Equal(["c1", "c3"], settings.Cameras.Select(c => c.Id));
        Assert.Equal("faceage-1", settings.Mqtt.ClientId);
        Assert.Equal(1, settings.ReplicaOrdinal);
        Assert.Equal("faceage/status/replica-1", new MqttTopics("faceage", settings.ReplicaOrdinal).WorkerStatus);
        Assert.Equal("faceage/status", new MqttTopics("faceage").WorkerStatus);

        data["Sharding:PodName"] = "faceage-7";
        var e = Assert.Throws<ConfigurationException>(() => WorkerSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(data).Build()));
        Assert.Contains("Sharding:Replicas is 2", e.Message);
    }
}

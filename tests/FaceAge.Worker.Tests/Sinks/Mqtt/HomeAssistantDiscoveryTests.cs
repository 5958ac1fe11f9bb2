using System.Text.Json;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Sinks.Mqtt;

namespace FaceAge.Worker.Tests.Sinks.Mqtt;

public class HomeAssistantDiscoveryTests
{
    private static readonly (string Id, string? Name)[] Cameras = [("entrance", "Entrance"), ("till-2", null)];

    [Fact]
    public void Each_camera_gets_five_retained_sensor_configs_reading_faceage_topics()
    {
        var messages = HomeAssistantDiscovery.Messages(new HomeAssistantOptions { Enabled = true }, new MqttTopics("faceage"), Cameras);

        Assert.Equal(10, messages.Count);
        Assert.All(messages, m => Assert.True(m.Retain));
        var byTopic = messages.ToDictionary(m => m.Key, m => JsonDocument.Parse(m.Payload).RootElement);
        var now = byTopic["homeassistant/sensor/faceage_entrance/people_now/config"];
        Assert.Equal("faceage/entrance/occupancy", now.GetProperty("state_topic").GetString());
        Assert.Equal("{{ value_json.present }}", now.GetProperty("value_template").GetString());
        Assert.Equal("measurement", now.GetProperty("state_class").GetString());
        Assert.Equal("faceage/status", now.GetProperty("availability_topic").GetString());
        Assert.Equal("FaceAge Entrance", now.GetProperty("device").GetProperty("name").GetString());
        Assert.Equal("faceage/till-2/stats", byTopic["homeassistant/sensor/faceage_till-2/people_last_window/config"].GetProperty("state_topic").GetString());
        Assert.Equal("{{ value_json.ageGroup }}",
            byTopic["homeassistant/sensor/faceage_till-2/last_age_group/config"].GetProperty("value_template").GetString());
        Assert.Equal("faceage/till-2/person", byTopic["homeassistant/sensor/faceage_till-2/last_gender/config"].GetProperty("state_topic").GetString());
        Assert.Equal("FaceAge till-2", byTopic["homeassistant/sensor/faceage_till-2/last_gender/config"].GetProperty("device").GetProperty("name").GetString());
        // Unique ids are what Home Assistant keys entities by: one per camera and sensor.
        Assert.Equal(10, byTopic.Values.Select(v => v.GetProperty("unique_id").GetString()).Distinct().Count());
        var viewers = byTopic["homeassistant/sensor/faceage_entrance/viewers_last_window/config"];
        Assert.Equal("faceage/entrance/stats", viewers.GetProperty("state_topic").GetString());
    }

    [Fact]
    public void Prefix_and_sharded_availability_topic_follow_the_settings()
    {
        var messages = HomeAssistantDiscovery.Messages(new HomeAssistantOptions { Enabled = true, DiscoveryPrefix = "ha" }, new MqttTopics("shop", replica: 2),
            Cameras[..1]);
        Assert.All(messages, m => Assert.StartsWith("ha/sensor/faceage_entrance/", m.Key));
        Assert.All(messages, m => Assert.Equal("shop/status/replica-2",
            JsonDocument.Parse(m.Payload).RootElement.GetProperty("availability_topic").GetString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("home/#")]
    [InlineData("homeassistant/")]
    public void Bad_discovery_prefix_is_rejected_naming_the_key(string prefix)
        => Assert.Contains("HomeAssistant:DiscoveryPrefix", Assert.Single(new HomeAssistantOptions { DiscoveryPrefix = prefix }.Validate()));
}

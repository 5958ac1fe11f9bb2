using System.Text.Json.Nodes;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Sinks.Outbox;

namespace FaceAge.Worker.Sinks.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery messages: per camera a device "FaceAge &lt;camera&gt;" with four sensors
/// that read FaceAge's own topics — people now (occupancy), people in the last stats window, and the last
/// person's age group and gender. Retained and sent after every connect, so Home Assistant finds them
/// whenever it starts; available while the worker's status is "online".
/// </summary>
public static class HomeAssistantDiscovery
{
    private sealed record Sensor(string ObjectId, string Name, Func<MqttTopics, string, string> StateTopic, string ValueTemplate, string Icon, string? Unit);

    private static readonly Sensor[] Sensors =
    [
        new("people_now", "People now", (t, c) => t.Occupancy(c), "{{ value_json.present }}", "mdi:account-group", "people"),
        new("people_last_window", "People in last window", (t, c) => t.Stats(c), "{{ value_json.peopleSeen }}", "mdi:account-multiple-check", "people"),
        // Attention:Enabled false leaves the stats message without its attention block: 0 viewers then.
        new("viewers_last_window", "Viewers in last window", (t, c) => t.Stats(c),
            "{{ value_json.attention.overall.viewers if value_json.attention is defined else 0 }}", "mdi:eye-check", "people"),
        new("last_age_group", "Last person's age group", (t, c) => t.Person(c), "{{ value_json.ageGroup }}", "mdi:cake-variant", null),
        new("last_gender", "Last person's gender", (t, c) => t.Person(c), "{{ value_json.gender }}", "mdi:gender-male-female", null),
    ];

    public static string ConfigTopic(HomeAssistantOptions options, string camera, string objectId)
        => $"{options.DiscoveryPrefix}/sensor/faceage_{camera}/{objectId}/config";

    /// <param name="cameras">Each camera's id and display name.</param>
    public static IReadOnlyList<OutboxMessage> Messages(HomeAssistantOptions options, MqttTopics topics, IEnumerable<(string Id, string? Name)> cameras)
    {
        var messages = new List<OutboxMessage>();
        foreach (var camera in cameras)
            foreach (var sensor in Sensors)
            {
                var config = new JsonObject
                {
                    ["name"] = sensor.Name,
                    ["unique_id"] = $"faceage_{camera.Id}_{sensor.ObjectId}",
                    ["object_id"] = $"faceage_{camera.Id}_{sensor.ObjectId}",
                    ["state_topic"] = sensor.StateTopic(topics, camera.Id),
                    ["value_template"] = sensor.ValueTemplate,
                    ["icon"] = sensor.Icon,
                    ["availability_topic"] = topics.WorkerStatus,
                    ["availability_template"] = "{{ value_json.state }}",
                    ["payload_available"] = "online",
                    ["payload_not_available"] = "offline",
                    ["device"] = new JsonObject
                    {
                        ["identifiers"] = new JsonArray($"faceage_{camera.Id}"),
                        ["name"] = $"FaceAge {camera.Name ?? camera.Id}",
                        ["manufacturer"] = "FaceAge",
                        ["model"] = "camera",
                    },
                };
                if (sensor.Unit is { } unit)
                {
                    config["unit_of_measurement"] = unit;
                    config["state_class"] = "measurement";
                }
                messages.Add(new OutboxMessage(ConfigTopic(options, camera.Id, sensor.ObjectId), System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()),
                    true, "discovery"));
            }
        return messages;
    }
}

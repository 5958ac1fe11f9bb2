using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>Discovery on the embedded broker: what Home Assistant would receive when it subscribes.</summary>
public class HomeAssistantDiscoveryOnBrokerTests
{
    [Fact]
    public async Task Retained_discovery_configs_and_the_states_they_read_reach_a_late_subscriber()
    {
        // sample3 (3 women) for 4 s, then 5 s of black (longer than the 3 s re-entry window, so they count
        // as having left), looped.
        var video = TestVideos.FromPhotos(["sample3.jpg"], seconds: 4, gap: 5);
        int port = Ports.Free();
        using var worker = WorkerProcess.Start([new { Id = "hall", Name = "Hall", Url = video, Loop = true, MaxFps = 10 }], port, embeddedBroker: true,
            new() { ["HomeAssistant"] = new { Enabled = true } });
        await using var watcher = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60));
        await watcher.WaitUntilAsync(m => m.Json("/hall/person").Count() >= 3 && m.Json("/hall/stats").Any(s => s.GetProperty("peopleSeen").GetInt32() > 0),
            TimeSpan.FromSeconds(90), "three person events and a stats window with people");

        // Home Assistant starting now still gets every config and the last state of each sensor (retained).
        await using var ha = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(10), "homeassistant/#", "faceage/#");
        // Retained messages of the two subscriptions arrive in no set order: wait for the worker's status too.
        await ha.WaitUntilAsync(m => m.Messages.Count(x => x.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)) >= 5
            && m.Json("faceage/status").Any(),
            TimeSpan.FromSeconds(10), "five discovery configs and the worker's status");
        var configs = ha.Messages.Where(x => x.Topic.StartsWith("homeassistant/sensor/faceage_hall/", StringComparison.Ordinal))
            .ToDictionary(x => x.Topic.Split('/')[3], x => System.Text.Json.JsonDocument.Parse(x.Payload).RootElement);
        Assert.Equal(["last_age_group", "last_gender", "people_last_window", "people_now", "viewers_last_window"], configs.Keys.Order());
        Assert.Equal("faceage/hall/occupancy", configs["people_now"].GetProperty("state_topic").GetString());

        // The topics the sensors read carry the fields their templates name.
        var occupancy = ha.Json("/hall/occupancy").ToList();
        Assert.NotEmpty(occupancy); // retained: the latest count
        Assert.InRange(occupancy[^1].GetProperty("present").GetInt32(), 0, 3);
        Assert.Contains(watcher.Json("/hall/occupancy"), o => o.GetProperty("present").GetInt32() == 3);
        var person = watcher.Json("/hall/person").Last();
        Assert.Equal("female", person.GetProperty("gender").GetString());
        Assert.False(string.IsNullOrEmpty(person.GetProperty("ageGroup").GetString()));
        var stats = watcher.Json("/hall/stats").Last(s => s.GetProperty("peopleSeen").GetInt32() > 0);
        Assert.InRange(stats.GetProperty("attention").GetProperty("overall").GetProperty("viewers").GetInt32(), 0,
            stats.GetProperty("attention").GetProperty("overall").GetProperty("opportunities").GetInt32());
        Assert.Equal("online", ha.Json("faceage/status").Last().GetProperty("state").GetString());
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Privacy;

/// <summary>
/// Every MQTT message of every kind, and the worker's log at Information level, while real face videos
/// run: no image data (JPEG/PNG bytes, data URLs, base64 blocks) and nothing like a face descriptor or recognition
/// embedding (long numeric arrays), whichever of the two re-entry compares.
/// </summary>
public partial class NothingFromTheFaceLeavesTests
{
    [GeneratedRegex(@"[A-Za-z0-9+/]{64,}={0,2}")]
    private static partial Regex Base64Block();

    // Sixteen or more numbers in a row, separated by commas or spaces: what a dumped descriptor looks like.
    [GeneratedRegex(@"(-?\d+(\.\d+)?([eE]-?\d+)?[,\s]\s*){16,}")]
    private static partial Regex NumberRun();

    [Theory]
    [InlineData("descriptor")]
    [InlineData("fr-feature")]  // recognition embeddings of the crops are held too: they must not leave either
    public async Task No_published_message_or_log_line_carries_pixels_or_descriptors(string embedding)
    {
        var cameras = new List<object> { new { Id = "photos", Url = TestVideos.FromPhotos(["sample3.jpg", "sample6.jpg"], seconds: 4, gap: 4), Loop = true,
            MaxFps = 10 } };
        var clip = Path.Combine(RepoPaths.Shared, "videos", "d3.mp4");
        if (File.Exists(clip)) cameras.Add(new { Id = "talk", Url = clip, Loop = true, MaxFps = 10, DetectionWidth = 640 });
        int port = Ports.Free();
        using var worker = WorkerProcess.Start(cameras.ToArray(), port, embeddedBroker: true, new()
        {
            ["Pipeline"] = new { StatsWindowSeconds = 5, BatchMaxWaitMilliseconds = 30, PersonUpdateSeconds = 1 },
            ["HomeAssistant"] = new { Enabled = true },
            ["Fusion"] = new { Embedding = embedding },
        });
        await using var mqtt = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60), "#");
        await mqtt.WaitUntilAsync(m => m.Json("/photos/person").Count(p => p.GetProperty("final").GetBoolean()) >= 7 && m.Json("/photos/stats").Any(),
            TimeSpan.FromSeconds(120), "seven final person events and a stats message");
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));

        var messages = mqtt.Messages;
        var kinds = messages.Select(m => m.Topic.Split('/').Last()).ToHashSet();
        foreach (var kind in new[] { "person", "stats", "status", "occupancy", "config" }) Assert.Contains(kind, kinds);
        Assert.Contains(messages, m => m.Topic.EndsWith("/person", StringComparison.Ordinal) && m.Payload.Contains("\"final\":false"));
        foreach (var (topic, payload, _) in messages)
        {
            Assert.DoesNotContain('\uFFFD', payload); // binary data would not decode as UTF-8
            Assert.DoesNotContain("data:image", payload, StringComparison.OrdinalIgnoreCase);
            Assert.False(Base64Block().IsMatch(payload), $"{topic}: base64-like block in {payload}");
            using var json = JsonDocument.Parse(payload); // every payload is JSON
            CheckJson(topic, json.RootElement);
        }

        var log = worker.AllOutput;
        Assert.Contains("Person ", log); // the log is not empty of what happened
        foreach (var line in log.Split('\n'))
        {
            Assert.DoesNotContain('\uFFFD', line);
            Assert.False(Base64Block().IsMatch(line), $"base64-like block in log line: {line}");
            Assert.False(NumberRun().IsMatch(line), $"number run in log line: {line}");
        }
    }

    private static void CheckJson(string topic, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                Assert.True(e.GetArrayLength() <= 16, $"{topic}: an array of {e.GetArrayLength()} values");
                foreach (var item in e.EnumerateArray()) CheckJson(topic, item);
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    Assert.DoesNotContain("descriptor", p.Name, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("embedding", p.Name, StringComparison.OrdinalIgnoreCase);
                    CheckJson(topic, p.Value);
                }
                break;
            case JsonValueKind.String:
                Assert.True(e.GetString()!.Length <= 200, $"{topic}: a string of {e.GetString()!.Length} characters");
                break;
        }
    }
}

using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>Real RTSP server (GStreamer), real mosquitto, real face videos.</summary>
public class WorkerOnRtspTests
{
    private static readonly string[] SinglePersonClips = ["d3", "d6", "d9", "d10", "d14"];

    [SharedDataTheory]
    [InlineData("descriptor")]
    [InlineData("fr-feature")]  // re-entry and re-linking by the recognition network on the aligned crops
    public async Task Each_single_person_clip_gives_exactly_one_person_event(string embedding)
    {
        using var rtsp = await RtspServer.StartAsync(SinglePersonClips.Select(c
            => $"{c}={Path.Combine(RepoPaths.Shared, "videos", c + ".mp4")}:once").ToArray());
        using var broker = await Mosquitto.StartAsync();
        await using var mqtt = await MqttCollector.ConnectAsync(broker.Port, TimeSpan.FromSeconds(10));
        var cameras = SinglePersonClips.Select(c => (object)new { Id = c, Url = rtsp.Url(c), MaxFps = 5, DetectionWidth = 640 }).ToArray();
        using var worker = WorkerProcess.Start(cameras, broker.Port, embeddedBroker: false,
            new()
            {
                ["Watchdog"] = new { StallSeconds = 3, BackoffInitialSeconds = 2, BackoffMaxSeconds = 5, ProbeTimeoutSeconds = 5 },
                ["Fusion"] = new { Embedding = embedding },
            });

        // Each clip plays once; then its mount is gone and the camera stays offline.
        bool WentOffline(MqttCollector m, string c)
        {
            var states = m.Json($"/{c}/status").Select(s => s.GetProperty("state").GetString()).ToList();
            int online = states.IndexOf("online");
            return online >= 0 && states.Skip(online).Contains("offline");
        }
        await mqtt.WaitUntilAsync(m => SinglePersonClips.All(c => WentOffline(m, c)), TimeSpan.FromSeconds(120), "every clip finishing");
        await mqtt.WaitUntilAsync(m => SinglePersonClips.All(c => m.Json($"/{c}/person").Any()), TimeSpan.FromSeconds(20), "a person event per clip");
        await Task.Delay(5000); // time for a wrong second event to arrive

        foreach (var clip in SinglePersonClips)
        {
            var persons = mqtt.Json($"/{clip}/person").ToList();
            var only = Assert.Single(persons);
            Assert.InRange(only.GetProperty("genderProbability").GetDouble(), 0.5, 1);
            Assert.True(only.GetProperty("ageUncertainty").GetDouble() > 0, $"{clip}: the fused age spread must be reported");
            Assert.True(only.GetProperty("samples").GetInt32() >= 5, $"{clip}: {only}");
        }
    }

    [Fact]
    public async Task Killed_rtsp_server_comes_back_without_restarting_the_worker_while_other_cameras_keep_publishing()
    {
        var photos = TestVideos.FromPhotos(["sample1.jpg", "sample4.jpg", "sample6.jpg"], seconds: 3, gap: 1.5);
        using var rtsp = await RtspServer.StartAsync($"cam={photos}");
        using var broker = await Mosquitto.StartAsync();
        await using var mqtt = await MqttCollector.ConnectAsync(broker.Port, TimeSpan.FromSeconds(10));
        using var worker = WorkerProcess.Start(
            [new { Id = "live", Url = rtsp.Url("cam"), MaxFps = 5, DetectionWidth = 640 },
                new { Id = "file", Url = photos, Loop = true, MaxFps = 5, DetectionWidth = 640 }],
            broker.Port, embeddedBroker: false);

        bool LiveState(MqttCollector m, string state, int after) => m.Json("/live/status").Skip(after).Any(s => s.GetProperty("state").GetString() == state);
        await mqtt.WaitUntilAsync(m => LiveState(m, "online", 0), TimeSpan.FromSeconds(60), "the RTSP camera online");
        await Task.Delay(3000);

        rtsp.Kill();
        int statusesBefore = mqtt.Json("/live/status").Count();
        await mqtt.WaitUntilAsync(m => LiveState(m, "offline", statusesBefore), TimeSpan.FromSeconds(20), "the RTSP camera reported offline");
        var outageStart = DateTimeOffset.UtcNow;
        await Task.Delay(8000);
        var fileEventsDuringOutage = mqtt.Messages.Count(m => m.Topic.EndsWith("/file/person") && m.At >= outageStart);
        await rtsp.RestartAsync();
        int statusesOffline = mqtt.Json("/live/status").Count();
        await mqtt.WaitUntilAsync(m => LiveState(m, "online", statusesOffline), TimeSpan.FromSeconds(30), "the RTSP camera back online");

        Assert.False(worker.Process.HasExited);
        Assert.True(fileEventsDuringOutage > 0, "the file camera must keep publishing while the RTSP camera is down");
        var metrics = await worker.MetricsAsync();
        Assert.True(WorkerProcess.MetricValue(metrics, "faceage_camera_reconnects_total{camera=\"live\"}") >= 1);
        Assert.Equal(1, WorkerProcess.MetricValue(metrics, "faceage_camera_up{camera=\"live\"}"));
        Assert.Equal(0, WorkerProcess.MetricValue(metrics, "faceage_camera_reconnects_total{camera=\"file\"}"));
    }
}

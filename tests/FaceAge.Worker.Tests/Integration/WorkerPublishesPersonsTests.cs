using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>The real worker, real models, a real broker: person events for a video with a known number of faces.</summary>
public class WorkerPublishesPersonsTests
{
    private static readonly string[] PersonFields =
        ["personId", "camera", "firstSeen", "lastSeen", "dwellSeconds", "age", "ageUncertainty", "ageGroup", "gender", "genderProbability", "samples",
            "meanFaceSize", "final", "attentionSeconds", "viewer", "longestLookSeconds"];

    [Fact]
    public async Task Embedded_broker_publishes_one_person_per_face_of_a_sample_photo_video()
    {
        // sample3 (3 women) for 4 s, black, sample6 (4 women) for 4 s, black: 7 people come and go.
        var video = TestVideos.FromPhotos(["sample3.jpg", "sample6.jpg"]);
        int port = Ports.Free();
        using var worker = WorkerProcess.Start([new { Id = "photos", Url = video, MaxFps = 10 }], port, embeddedBroker: true);
        await using var mqtt = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60));

        await mqtt.WaitUntilAsync(m => m.Json("/photos/status").Any(s => s.GetProperty("state").GetString() == "ended"), TimeSpan.FromSeconds(90),
            "the file camera ending");
        await mqtt.WaitUntilAsync(m => m.Json("/photos/person").Count() >= 7, TimeSpan.FromSeconds(30), "seven person events");
        await Task.Delay(4000); // a late eighth event would show up here

        var persons = mqtt.Json("/photos/person").ToList();
        Assert.Equal(7, persons.Count);
        Assert.Equal(7, persons.Select(p => p.GetProperty("personId").GetString()).Distinct().Count());
        foreach (var p in persons)
        {
            Assert.Equal(PersonFields.Order(), p.EnumerateObject().Select(o => o.Name).Order());
            Assert.Equal("female", p.GetProperty("gender").GetString());
            Assert.InRange(p.GetProperty("age").GetDouble(), 18, 45);
            Assert.True(p.GetProperty("ageUncertainty").GetDouble() > 0);
            Assert.True(p.GetProperty("samples").GetInt32() >= 2);
            Assert.InRange(p.GetProperty("dwellSeconds").GetDouble(), 2, 6);
            Assert.InRange(p.GetProperty("attentionSeconds").GetDouble(), 0, p.GetProperty("dwellSeconds").GetDouble() + 0.1);
        }
        var workerStatus = mqtt.Json("faceage/status").Last();
        Assert.Equal("online", workerStatus.GetProperty("state").GetString());

        var metrics = await worker.MetricsAsync();
        Assert.Equal(7, WorkerProcess.MetricValue(metrics, "faceage_mqtt_published_total{kind=\"person\"}"));
        Assert.True(WorkerProcess.MetricValue(metrics, "faceage_frames_decoded_total{camera=\"photos\"}") >= 100);
        Assert.Equal(0, WorkerProcess.MetricValue(metrics, "faceage_camera_reconnects_total{camera=\"photos\"}"));
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
        // OpenCV's IPP paths are off in the worker (a CPU check on every call costs more than the work on these CPUs).
        Assert.Contains("IPP was disabled by OPENCV_IPP", worker.AllOutput);
    }

    [Fact]
    public async Task Bad_setting_stops_start_up_with_a_message_naming_the_key()
    {
        using var worker = WorkerProcess.Start([new { Id = "bad id!", Url = "rtsp://127.0.0.1:1/x" }], Ports.Free(), embeddedBroker: true,
            new() { ["Pipeline"] = new { BatchSize = 0 } });
        Assert.Equal(1, await worker.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Cameras:0:Id", worker.Process.Output);
        Assert.Contains("Pipeline:BatchSize", worker.Process.Output);
    }
}

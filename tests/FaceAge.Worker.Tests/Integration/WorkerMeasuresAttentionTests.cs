using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;
using Xunit.Abstractions;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>The real worker on a real clip of a person talking to the camera: they looked for about as long as they were there.</summary>
public class WorkerMeasuresAttentionTests(ITestOutputHelper output)
{
    [SharedDataFact]
    public async Task A_person_talking_to_the_camera_is_a_viewer_whose_attention_is_about_their_dwell()
    {
        string clip = Path.Combine(RepoPaths.Shared, "videos", "d3.mp4");
        int port = Ports.Free();
        using var worker = WorkerProcess.Start([new { Id = "talk", Url = clip, MaxFps = 10 }], port, embeddedBroker: true);
        await using var mqtt = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60));
        await mqtt.WaitUntilAsync(m => m.Json("/talk/status").Any(s => s.GetProperty("state").GetString() == "ended"), TimeSpan.FromSeconds(120),
            "the clip ending");
        await mqtt.WaitUntilAsync(m => m.Json("/talk/person").Any(), TimeSpan.FromSeconds(30), "a person event");
        await Task.Delay(2000);

        var persons = mqtt.Json("/talk/person").ToList();
        double dwell = persons.Sum(p => p.GetProperty("dwellSeconds").GetDouble());
        double attention = persons.Sum(p => p.GetProperty("attentionSeconds").GetDouble());
        output.WriteLine($"{persons.Count} person(s): attention {attention} s of {dwell} s dwell");
        Assert.True(dwell >= 8, $"dwell {dwell} s");
        Assert.True(attention >= 0.8 * dwell && attention <= dwell + 0.1, $"attention {attention} s of {dwell} s dwell");
        Assert.All(persons, p =>
        {
            Assert.True(p.GetProperty("viewer").GetBoolean());
            Assert.True(p.GetProperty("longestLookSeconds").GetDouble() <= p.GetProperty("attentionSeconds").GetDouble());
        });
        var metrics = await worker.MetricsAsync();
        Assert.True(WorkerProcess.MetricValue(metrics, "faceage_inference_seconds_count{model=\"pose\"}") >= 10);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }

    // fairface-val photos of one face turned away from the camera (labelled 0 in tools/attention/labels.csv, and turned 45° or more by
    // the fr-pose network), and photos of faces looking at it (labelled 1).
    private static readonly string[] TurnedAway = ["2603", "2636", "2760", "2792", "2814", "2822", "2863", "2873", "2887"];
    private static readonly string[] Looking = ["2516", "2517", "2524", "2525", "2527", "2531", "2535", "2536", "2537"];

    /// <summary>
    /// The turned-away photos, 4 s each, each filling the frame. fr-landmark68's points go wrong on some of them (val-2863's yaw
    /// comes out at −14°); the turn check on the age/gender features catches the others, and on the photo itself that one too
    /// (TurnCheckTests), but not on this video, where the photo of a face cut by its edges is blown up to 720 lines and boxed as a
    /// whole head (docs/accuracy.md, "Head pose and attention"): what is asserted is that turned-away faces are almost never viewers.
    /// </summary>
    [SharedDataFact]
    public async Task Faces_turned_away_filling_the_frame_are_almost_never_viewers()
    {
        var persons = await PersonsSeenAsync(TestVideos.FromImages(Photos(TurnedAway)), expected: TurnedAway.Length);
        double dwell = persons.Sum(p => p.GetProperty("dwellSeconds").GetDouble());
        double attention = persons.Sum(p => p.GetProperty("attentionSeconds").GetDouble());
        Assert.True(persons.Count(p => p.GetProperty("viewer").GetBoolean()) <= 1, "more than one turned-away face was a viewer");
        Assert.True(attention <= 0.15 * dwell, $"attention {attention} s of {dwell} s dwell");
    }

    /// <summary>The same faces pasted into a camera-like scene (an oval of each photo, 160–320 px, crossing a 1280×720 frame with
    /// others in view): no viewer at all.</summary>
    [SharedDataFact]
    public async Task A_scene_of_faces_turned_away_from_the_camera_has_no_viewers()
    {
        var persons = await PersonsSeenAsync(TestVideos.Scene(Photos(TurnedAway), seconds: 40, seed: 1), expected: TurnedAway.Length);
        Assert.DoesNotContain(persons, p => p.GetProperty("viewer").GetBoolean());
    }

    /// <summary>The same scene with faces looking at the camera instead: what keeps the one above from passing by never seeing a viewer.</summary>
    [SharedDataFact]
    public async Task The_same_scene_of_faces_looking_at_the_camera_is_viewers()
    {
        var persons = await PersonsSeenAsync(TestVideos.Scene(Photos(Looking), seconds: 40, seed: 1), expected: Looking.Length);
        int viewers = persons.Count(p => p.GetProperty("viewer").GetBoolean());
        Assert.True(viewers >= Looking.Length - 2, $"{viewers} of {persons.Count} faces looking at the camera were viewers");
    }

    private static string[] Photos(string[] numbers)
        => numbers.Select(n => Path.Combine(RepoPaths.Shared, "datasets", "fairface-val", "images", $"val-{n}.jpg")).ToArray();

    /// <summary>The worker's person events for the video, once it ended; about one per face shown.</summary>
    private async Task<List<System.Text.Json.JsonElement>> PersonsSeenAsync(string video, int expected)
    {
        int port = Ports.Free();
        using var worker = WorkerProcess.Start([new { Id = "cam", Url = video, MaxFps = 10 }], port, embeddedBroker: true);
        await using var mqtt = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60));
        await mqtt.WaitUntilAsync(m => m.Json("/cam/status").Any(s => s.GetProperty("state").GetString() == "ended"), TimeSpan.FromSeconds(120),
            "the video ending");
        await mqtt.WaitUntilAsync(m => m.Json("/cam/person").Count() >= expected - 1, TimeSpan.FromSeconds(30), "a person event per face");
        await Task.Delay(2000);

        var persons = mqtt.Json("/cam/person").ToList();
        foreach (var p in persons.OrderBy(p => p.GetProperty("firstSeen").GetString(), StringComparer.Ordinal))
            output.WriteLine($"{p.GetProperty("firstSeen").GetString()}: attention {p.GetProperty("attentionSeconds").GetDouble()} s of "
                + $"{p.GetProperty("dwellSeconds").GetDouble()} s, viewer {p.GetProperty("viewer").GetBoolean()}");
        Assert.InRange(persons.Count, expected - 1, expected + 1);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
        return persons;
    }
}

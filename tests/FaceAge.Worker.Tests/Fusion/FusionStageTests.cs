using System.Threading.Channels;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Audience;
using FaceAge.Core.Fusion;
using FaceAge.Core.Tracking;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Fusion;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sinks.Mqtt;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Fusion;

/// <summary>The fuse stage in-process: tracks and samples in, worker events out, on a clock the test moves.</summary>
public class FusionStageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static WorkerSettings Settings(int statsSeconds = 3600, int updateSeconds = 0) => new(
        [new CameraOptions { Id = "door", Name = "Front door", Url = "rtsp://127.0.0.1/x" }], new AnalyzerOptions(),
        new PipelineOptions { StatsWindowSeconds = statsSeconds, PersonUpdateSeconds = updateSeconds }, new TrackerOptions(),
        new FusionOptions { ReentryWindow = TimeSpan.FromSeconds(3), MinSamples = 1 }, new WatchdogOptions(), new MqttOptions());

    private static PersonSample Sample(DateTimeOffset time, float male = 0.9f, int age = 30, float? faceScore = null, HeadPose? pose = null)
    {
        var p = new float[100];
        p[age - 1] = 1;
        var descriptor = new float[16];
        descriptor[age % 16] = 1;
        return new PersonSample(p, 1, male, 0.8, 120, descriptor, time, faceScore, Pose: pose);
    }

    private sealed class Run : IAsyncDisposable
    {
        public readonly ManualClock Clock = new(T0);
        public readonly Channel<FusionInput> Input = Channel.CreateUnbounded<FusionInput>();
        public readonly Channel<WorkerEvent> Output = Channel.CreateUnbounded<WorkerEvent>();
        private readonly Task _stage;
        private readonly CancellationTokenSource _stop = new();

        public readonly WorkerMetrics Metrics = new(Prometheus.Metrics.NewCustomRegistry());

        public Run(WorkerSettings settings)
            => _stage = new FusionStage(settings, Metrics, Clock).RunAsync(Input.Reader, Output.Writer, _stop.Token);

        public async Task<List<WorkerEvent>> Events(TimeSpan settle)
        {
            await Task.Delay(settle);
            var list = new List<WorkerEvent>();
            while (Output.Reader.TryRead(out var e)) list.Add(e);
            return list;
        }

        public async ValueTask DisposeAsync()
        {
            Input.Writer.TryComplete();
            await _stage.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_person_who_left_is_published_once_the_reentry_window_is_over_with_the_fused_estimate()
    {
        await using var run = new Run(Settings());
        run.Input.Writer.TryWrite(new TrackSeen("door", 1, T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 1, Sample(T0), T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 1, Sample(T0.AddSeconds(1)), T0.AddSeconds(1)));
        run.Input.Writer.TryWrite(new TrackSeen("door", 1, T0.AddSeconds(4)));
        run.Input.Writer.TryWrite(new TrackEnded("door", 1, T0.AddSeconds(4)));
        run.Clock.Now = T0.AddSeconds(5);
        Assert.Empty((await run.Events(TimeSpan.FromMilliseconds(300))).OfType<PersonLeft>()); // within the window: could come back

        run.Clock.Now = T0.AddSeconds(8);
        var left = Assert.Single((await run.Events(TimeSpan.FromMilliseconds(1500))).OfType<PersonLeft>());
        Assert.Equal("door", left.CameraId);
        Assert.Equal(2, left.Person.Samples);
        Assert.Equal(4, left.Person.DwellSeconds);
        Assert.Equal("male", left.Person.Gender);
        Assert.Equal(30, left.Person.Age, 1);
    }

    [Fact]
    public async Task A_track_that_never_passed_the_face_check_is_no_person_and_is_counted_as_filtered()
    {
        await using var run = new Run(Settings());
        run.Input.Writer.TryWrite(new TrackSeen("door", 1, T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 1, Sample(T0, faceScore: 0.1f), T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 1, Sample(T0.AddSeconds(1), faceScore: 0.3f), T0.AddSeconds(1)));
        run.Input.Writer.TryWrite(new TrackEnded("door", 1, T0.AddSeconds(2)));
        run.Input.Writer.TryWrite(new TrackSeen("door", 2, T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 2, Sample(T0, age: 50, faceScore: 0.95f), T0));
        run.Input.Writer.TryWrite(new TrackEnded("door", 2, T0.AddSeconds(2)));
        Assert.Empty((await run.Events(TimeSpan.FromMilliseconds(300))).OfType<PersonLeft>()); // handled at scene time 2 s
        run.Clock.Now = T0.AddSeconds(10);
        var left = Assert.Single((await run.Events(TimeSpan.FromMilliseconds(1500))).OfType<PersonLeft>());
        Assert.Equal(50, left.Person.Age, 1);
        Assert.Equal(1, run.Metrics.PersonsFiltered.WithLabels("door", "not_a_face").Value);
    }

    [Fact]
    public async Task Occupancy_becomes_events_in_order_and_stats_come_per_window()
    {
        await using var run = new Run(Settings(statsSeconds: 10));
        run.Input.Writer.TryWrite(new OccupancyObserved("door", 2, T0));
        run.Input.Writer.TryWrite(new OccupancyObserved("door", 1, T0));
        var events = await run.Events(TimeSpan.FromMilliseconds(300));
        Assert.Equal([2, 1], events.OfType<OccupancyChanged>().Select(o => o.Present));

        run.Clock.Now = T0.AddSeconds(11);
        var stats = Assert.Single((await run.Events(TimeSpan.FromMilliseconds(1500))).OfType<WindowStats>());
        Assert.Equal(1, stats.Occupancy);
        Assert.Equal(0, stats.PeopleSeen);
    }

    [Fact]
    public async Task A_window_counts_its_people_hard_and_expected_with_intervals_and_shutdown_closes_the_last_one()
    {
        var run = new Run(Settings(statsSeconds: 10));
        foreach (var (track, male, age) in new[] { (1L, 0.9f, 30), (2L, 0.8f, 31), (3L, 0.1f, 70) })
        {
            run.Input.Writer.TryWrite(new TrackSeen("door", track, T0));
            run.Input.Writer.TryWrite(new SampleReady("door", track, Sample(T0, male, age), T0));
            run.Input.Writer.TryWrite(new TrackEnded("door", track, T0.AddSeconds(1)));
        }
        Assert.Empty((await run.Events(TimeSpan.FromMilliseconds(300))).OfType<WindowStats>()); // handled at scene time 1 s
        run.Clock.Now = T0.AddSeconds(11);
        var stats = Assert.Single((await run.Events(TimeSpan.FromMilliseconds(1500))).OfType<WindowStats>());
        Assert.Equal(3, stats.PeopleSeen);
        Assert.Equal(2, stats.Counts["25-34"]["male"]);
        var expected = stats.Expected!;
        Assert.Equal(3, expected.People);
        Assert.Equal(1.8 / 3, expected.Male.Share, 2); // P(male) 0.9 + 0.8 + 0.1 over three people
        Assert.True(expected.Male.Low < expected.Male.Share && expected.Male.Share < expected.Male.High);
        Assert.Equal(3, expected.AgeGroups.Sum(g => g.Estimate.Count), 3);
        Assert.True(expected.AgeGroups.Single(g => g.Group == "25-34").Estimate.Count > 1.5);
        Assert.Null(stats.Corrected); // Statistics:Correct is off
        var document = System.Text.Encoding.UTF8.GetString(EventJson.Serialize(stats));
        Assert.Contains("\"schema\":3", document);
        Assert.Contains("\"expected\":{\"ageGroups\":{\"0-12\":{\"count\":", document);
        Assert.Contains("\"counts\":{\"25-34\":{\"female\":0,\"male\":2}", document); // the schema-1 hard counts stay

        // A person in the next window when the worker stops (the track stage ends every track): the stop closes the window with them.
        run.Input.Writer.TryWrite(new TrackSeen("door", 4, T0.AddSeconds(11)));
        run.Input.Writer.TryWrite(new SampleReady("door", 4, Sample(T0.AddSeconds(11), 0.5f, 50), T0.AddSeconds(11)));
        run.Input.Writer.TryWrite(new TrackEnded("door", 4, T0.AddSeconds(12)));
        await run.Events(TimeSpan.FromMilliseconds(300));
        await run.DisposeAsync();
        var last = Assert.Single((await run.Events(TimeSpan.Zero)).OfType<WindowStats>());
        Assert.Equal(1, last.PeopleSeen);
        Assert.Equal(1, last.Expected!.People);
    }

    [Fact]
    public async Task A_window_counts_viewers_and_attention_seconds_overall_and_by_group_and_the_metrics_follow()
    {
        var run = new Run(Settings(statsSeconds: 10));
        // Track 1 (a man of 30) looks at the camera for 4 s; track 2 (a woman of 70) passes turned away; track 3 (a man of 31) glances for 1 s of 4.
        foreach (var (track, male, age, looksUntil) in new[] { (1L, 0.9f, 30, 4.0), (2L, 0.1f, 70, -1.0), (3L, 0.8f, 31, 1.0) })
        {
            run.Input.Writer.TryWrite(new TrackSeen("door", track, T0));
            for (int i = 0; i <= 4; i++)
            {
                var time = T0.AddSeconds(i);
                var pose = i <= looksUntil ? new HeadPose(3, -2, 0) : new HeadPose(70, 0, 0);
                run.Input.Writer.TryWrite(new TrackSeen("door", track, time));
                run.Input.Writer.TryWrite(new SampleReady("door", track, Sample(time, male, age, pose: pose), time));
            }
            run.Input.Writer.TryWrite(new TrackEnded("door", track, T0.AddSeconds(4)));
        }
        await run.Events(TimeSpan.FromMilliseconds(300));
        run.Clock.Now = T0.AddSeconds(11);
        var events = await run.Events(TimeSpan.FromMilliseconds(1500));
        var persons = events.OfType<PersonLeft>().Select(p => p.Person).OrderBy(p => p.Age).ToList();
        Assert.Equal([4.0, 1.5, 0.0], persons.Select(p => p.AttentionSeconds!.Value));
        Assert.Equal([true, true, false], persons.Select(p => p.Viewer!.Value));
        var attention = Assert.Single(events.OfType<WindowStats>()).Attention!;
        Assert.Equal(new AttentionFigures(3, 2, 0.667, 1.8, 1.5, 5.5), attention.Overall);
        Assert.Equal(2, attention.ByGender["male"].Viewers);
        Assert.Equal(0, attention.ByGender["female"].Viewers);
        Assert.Equal(2, attention.ByAgeGroup["25-34"].Opportunities);
        Assert.Equal(2.75, attention.ByAgeGroup["25-34"].MeanSeconds, 1);
        var document = System.Text.Encoding.UTF8.GetString(EventJson.Serialize(events.OfType<WindowStats>().Single()));
        Assert.Contains("\"attention\":{\"overall\":{\"opportunities\":3,\"viewers\":2,\"viewRate\":0.667", document);
        Assert.Equal(2, run.Metrics.Viewers.WithLabels("door", "25-34", "male").Value);
        Assert.Equal(3, run.Metrics.AttentionSeconds.WithLabels("door").Count);
    }

    [Fact]
    public async Task A_present_person_gets_periodic_updates_when_asked_for()
    {
        await using var run = new Run(Settings(updateSeconds: 2));
        run.Input.Writer.TryWrite(new TrackSeen("door", 7, T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 7, Sample(T0), T0));
        var updates = (await run.Events(TimeSpan.FromMilliseconds(1000))).OfType<PersonUpdated>().ToList();
        run.Clock.Now = T0.AddSeconds(1);
        run.Input.Writer.TryWrite(new SampleReady("door", 7, Sample(T0.AddSeconds(1)), T0.AddSeconds(1)));
        updates.AddRange((await run.Events(TimeSpan.FromMilliseconds(1000))).OfType<PersonUpdated>());
        run.Clock.Now = T0.AddSeconds(2.5);
        run.Input.Writer.TryWrite(new SampleReady("door", 7, Sample(T0.AddSeconds(2.5)), T0.AddSeconds(2.5)));
        updates.AddRange((await run.Events(TimeSpan.FromMilliseconds(1000))).OfType<PersonUpdated>());
        Assert.Equal(2, updates.Count); // at 0 s and 2.5 s, not at 1 s
        Assert.Equal([1, 3], updates.Select(u => u.Person.Samples));
    }

    [Fact]
    public async Task Shutdown_publishes_everyone_still_held_without_waiting_for_the_window()
    {
        var run = new Run(Settings());
        run.Input.Writer.TryWrite(new TrackSeen("door", 1, T0));
        run.Input.Writer.TryWrite(new SampleReady("door", 1, Sample(T0), T0));
        run.Input.Writer.TryWrite(new TrackEnded("door", 1, T0.AddSeconds(1)));
        await run.DisposeAsync();
        var events = new List<WorkerEvent>();
        while (run.Output.Reader.TryRead(out var e)) events.Add(e);
        Assert.Single(events.OfType<PersonLeft>());
    }

    [Fact]
    public void Every_event_has_a_topic_and_a_document_for_the_transports()
    {
        var topics = new MqttTopics("faceage");
        var person = new PersonEvent("p1", "door", T0, T0.AddSeconds(3), 3, 30, 4, "25-34", "male", 0.9, 5, 120);
        WorkerEvent[] all =
        [
            new PersonLeft(person, T0), new PersonUpdated(person, T0), new OccupancyChanged("door", 1, T0),
            new WindowStats("door", T0, T0.AddMinutes(1), 1, 0, new Dictionary<string, IReadOnlyDictionary<string, int>>(), 3),
            new CameraStatusChanged(new CameraStatus("door", CameraState.Online, null, T0), "Front door"), new WorkerStatusChanged("online", 1, T0),
        ];
        Assert.Equal(["faceage/door/person", "faceage/door/person", "faceage/door/occupancy", "faceage/door/stats", "faceage/door/status", "faceage/status"],
            all.Select(e => topics.For(e).Topic));
        Assert.Equal([false, false, true, false, true, true], all.Select(e => topics.For(e).Retain));
        Assert.All(all, e => Assert.NotEmpty(EventJson.Serialize(e)));
        Assert.Contains("\"final\":true", System.Text.Encoding.UTF8.GetString(EventJson.Serialize(all[0])));
        Assert.Contains("\"final\":false", System.Text.Encoding.UTF8.GetString(EventJson.Serialize(all[1])));
    }
}

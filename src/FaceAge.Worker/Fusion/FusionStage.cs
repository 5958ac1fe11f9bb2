using System.Threading.Channels;
using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Fusion;

/// <summary>
/// The fuse stage: per camera a <see cref="PersonRegistry"/> turns tracks and samples into persons (re-entry aware),
/// and out come worker events — a person who left, periodic person updates, occupancy and the statistics of each
/// window. Each camera's re-entry window runs on its scene clock (media time for files).
/// </summary>
/// <param name="errorModel">The estimator's measured errors on crowds (Statistics:ErrorModel): the intervals' systematic part and the confusion
/// to correct with; null = none.</param>
public sealed class FusionStage(WorkerSettings settings, WorkerMetrics metrics, TimeProvider? clock = null, AudienceErrorModel? errorModel = null)
{
    /// <summary>One camera's people and the counts of its current statistics window.</summary>
    private sealed class CameraTally
    {
        public required PersonRegistry Registry;
        public DateTimeOffset WindowStart;
        public int Occupancy;
        public readonly Dictionary<string, Dictionary<string, int>> Counts = [];
        public readonly HashSet<long> Present = [];
        public int PeopleSeen;
        public double DwellSum;
        public required AudienceTally Audience;
        public AttentionTally? Attention;
        public AttentionRule? Looking;
        public readonly Dictionary<long, DateTimeOffset> LastUpdate = [];
        // The camera's scene clock: the latest scene time seen, and when (wall clock) it was seen.
        public DateTimeOffset SceneTime = DateTimeOffset.MinValue, SceneSeenAt;
    }

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly AgeGroups _groups = new(settings.Analysis.EffectiveAgeGroups);
    private readonly AudienceErrorModel _errors = errorModel ?? AudienceErrorModel.None(new AgeGroups(settings.Analysis.EffectiveAgeGroups).LowerBounds);
    private readonly Dictionary<string, CameraTally> _cameras = [];

    public Action<double>? LatencyObserved { get; init; }
    public IPersonObserver? Observer { get; init; }
    /// <summary>Logs one line per person event: the random id and camera only (no estimate, nothing from the face).</summary>
    public ILogger? Log { get; init; }

    public async Task RunAsync(ChannelReader<FusionInput> input, ChannelWriter<WorkerEvent> output, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var more = input.WaitToReadAsync(cancellationToken).AsTask();
                await more.CompletesWithinAsync(TimeSpan.FromSeconds(1), _clock, cancellationToken); // at most a second without a tick
                while (input.TryRead(out var item)) await HandleAsync(item, output, cancellationToken);
                await TickAsync(output, cancellationToken);
                if (more.IsCompleted && !await more) break;
            }
        }
        finally
        {
            // Shutdown: nobody waits for the re-entry window; everyone still departed or present is published, and each camera's
            // window so far, so that no one published is missing from the statistics (and the report store).
            foreach (var (id, cam) in _cameras)
            {
                foreach (var e in cam.Registry.Expire(SceneNow(cam), flush: true))
                    await output.WriteAsync(PersonLeft(e, cam), CancellationToken.None); // the hub reads until the service completes it
                if (cam.PeopleSeen > 0) await output.WriteAsync(CloseWindow(id, cam, _clock.GetUtcNow()), CancellationToken.None);
            }
        }
    }

    private CameraTally Camera(string id)
    {
        if (!_cameras.TryGetValue(id, out var state))
            _cameras[id] = state = new CameraTally
            {
                // A person who never passed the face check, or never showed a usable face, is counted and not published.
                Registry = new PersonRegistry(id, settings.Fusion, _groups, settings.Analysis.FaceCheck is { Length: > 0 }
                    ? settings.Analysis.FaceCheckThreshold : 0,
                    reason => metrics.PersonsFiltered.WithLabels(id, reason).Inc(),
                    relinked: () => metrics.PersonsRelinked.WithLabels(id).Inc(), switched: () => metrics.IdentitySwitches.WithLabels(id).Inc(),
                    Attention(id)),
                Looking = Attention(id),
                WindowStart = _clock.GetUtcNow(),
                Audience = new AudienceTally(_groups.Names),
                Attention = settings.Attention.Enabled ? new AttentionTally() : null,
            };
        return state;
    }

    /// <summary>The camera's looking rule (its screen direction), or null when attention is off.</summary>
    private AttentionRule? Attention(string cameraId)
    {
        if (!settings.Attention.Enabled) return null;
        var camera = settings.Cameras.FirstOrDefault(c => c.Id == cameraId);
        return settings.Attention.RuleFor(camera?.ScreenYaw ?? 0, camera?.ScreenPitch ?? 0);
    }

    /// <summary>The camera's scene time now: its latest frame's time, moved on by the wall time since.</summary>
    private DateTimeOffset SceneNow(CameraTally cam)
    {
        var now = _clock.GetUtcNow();
        return cam.SceneTime == DateTimeOffset.MinValue ? now : cam.SceneTime + (now - cam.SceneSeenAt);
    }

    private void See(CameraTally cam, DateTimeOffset sceneTime)
    {
        if (sceneTime <= cam.SceneTime) return;
        cam.SceneTime = sceneTime;
        cam.SceneSeenAt = _clock.GetUtcNow();
    }

    private async Task HandleAsync(FusionInput item, ChannelWriter<WorkerEvent> output, CancellationToken cancellationToken)
    {
        var cam = Camera(item.CameraId);
        switch (item)
        {
            case TrackSeen seen:
                See(cam, seen.Time);
                cam.Registry.TrackSeen(seen.TrackId, seen.Time);
                cam.Present.Add(seen.TrackId);
                break;
            case SampleReady sample:
                cam.Registry.AddSample(sample.TrackId, sample.Sample);
                var current = cam.Registry.Current(sample.TrackId);
                if (current is not null)
                {
                    bool? looking = cam.Looking is { } rule && sample.Sample.Pose is { } pose ? rule.Looks(pose, sample.Sample.TurnedAway) : null;
                    Observer?.OnEstimate(item.CameraId, sample.TrackId, current, looking);
                }
                if (!sample.Flushed)
                {
                    double latency = Math.Max(0, (_clock.GetUtcNow() - sample.CapturedAt).TotalSeconds);
                    metrics.PipelineLatency.Observe(latency);
                    LatencyObserved?.Invoke(latency);
                }
                if (settings.Pipeline.PersonUpdateSeconds > 0 && current is not null && cam.Present.Contains(sample.TrackId)
                    && (!cam.LastUpdate.TryGetValue(sample.TrackId, out var last)
                        || _clock.GetUtcNow() - last >= TimeSpan.FromSeconds(settings.Pipeline.PersonUpdateSeconds)))
                {
                    cam.LastUpdate[sample.TrackId] = _clock.GetUtcNow();
                    await output.WriteAsync(new PersonUpdated(current, _clock.GetUtcNow()), cancellationToken);
                }
                break;
            case TrackEnded ended:
                See(cam, ended.Time);
                cam.Present.Remove(ended.TrackId);
                cam.LastUpdate.Remove(ended.TrackId);
                cam.Registry.TrackEnded(ended.TrackId, ended.Time);
                Observer?.OnTrackEnded(item.CameraId, ended.TrackId);
                break;
            case OccupancyObserved occupancy:
                cam.Occupancy = occupancy.Present;
                await output.WriteAsync(new OccupancyChanged(item.CameraId, occupancy.Present, _clock.GetUtcNow()), cancellationToken);
                break;
        }
    }

    private async Task TickAsync(ChannelWriter<WorkerEvent> output, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        foreach (var (id, cam) in _cameras)
        {
            foreach (var e in cam.Registry.Expire(SceneNow(cam)))
                await output.WriteAsync(PersonLeft(e, cam), cancellationToken);
            if (now - cam.WindowStart >= TimeSpan.FromSeconds(settings.Pipeline.StatsWindowSeconds))
                await output.WriteAsync(CloseWindow(id, cam, now), cancellationToken);
        }
    }

    /// <summary>The camera's window up to <paramref name="end"/> as a stats event; the next window starts there.</summary>
    private WindowStats CloseWindow(string id, CameraTally cam, DateTimeOffset end)
    {
        var counts = cam.Counts.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.Value.ToDictionary(k => k.Key, k => k.Value));
        var stats = new WindowStats(id, cam.WindowStart, end, cam.PeopleSeen, cam.Occupancy, counts,
            cam.PeopleSeen > 0 ? Math.Round(cam.DwellSum / cam.PeopleSeen, 1) : null)
        {
            Audience = cam.Audience,
            Expected = AudienceFigures.Expected(cam.Audience, _errors),
            Corrected = settings.Statistics.Correct && _errors.CanCorrect ? AudienceFigures.Corrected(cam.Audience, _errors) : null,
            Attention = cam.Attention,
        };
        cam.WindowStart = end;
        cam.PeopleSeen = 0;
        cam.DwellSum = 0;
        cam.Counts.Clear();
        cam.Audience = new AudienceTally(_groups.Names);
        cam.Attention = settings.Attention.Enabled ? new AttentionTally() : null;
        return stats;
    }

    private PersonLeft PersonLeft(PersonEvent e, CameraTally cam)
    {
        cam.PeopleSeen++;
        cam.DwellSum += e.DwellSeconds;
        if (!cam.Counts.TryGetValue(e.AgeGroup, out var byGender)) cam.Counts[e.AgeGroup] = byGender = new() { ["female"] = 0, ["male"] = 0 };
        byGender[e.Gender]++;
        cam.Audience.Add(e.Age, e.AgeUncertainty, e.Gender == "male" ? e.GenderProbability : 1 - e.GenderProbability, _groups);
        metrics.PersonsPublished.WithLabels(e.CameraId, e.AgeGroup, e.Gender).Inc();
        if (e.AttentionSeconds is { } seconds && e.Viewer is { } viewer)
        {
            cam.Attention?.Add(e.AgeGroup, e.Gender, seconds, viewer);
            metrics.AttentionSeconds.WithLabels(e.CameraId).Observe(seconds);
            if (viewer) metrics.Viewers.WithLabels(e.CameraId, e.AgeGroup, e.Gender).Inc();
        }
        Log?.LogInformation("Person {PersonId} left camera {Camera}", e.PersonId, e.CameraId);
        return new PersonLeft(e, _clock.GetUtcNow());
    }
}

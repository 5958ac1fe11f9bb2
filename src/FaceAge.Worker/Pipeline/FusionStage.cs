using System.Threading.Channels;
using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Publishing;
using Microsoft.Extensions.Logging;

namespace FaceAge.Worker.Pipeline;

/// <summary>
/// Per camera: fuses samples into persons (re-entry aware), emits a person message when a departure is
/// final (and optional updates while present), a stats message every window, and camera status changes.
/// </summary>
public sealed class FusionStage(WorkerSettings settings, WorkerMetrics metrics, Topics topics, TimeProvider? clock = null)
{
    private sealed class CameraState
    {
        public required PersonRegistry Registry;
        public DateTimeOffset WindowStart;
        public int Occupancy;
        public readonly Dictionary<string, Dictionary<string, int>> Counts = [];
        public readonly HashSet<long> Present = [];
        public int PeopleSeen;
        public double DwellSum;
        public readonly Dictionary<long, DateTimeOffset> LastUpdate = [];
    }

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public Action<double>? LatencyObserved { get; init; }
    /// <summary>The local web page's state, told of estimates, departures and camera changes; null when the page is off.</summary>
    public LiveView.LiveViewState? LiveView { get; init; }
    /// <summary>Logs one line per person event: the random id and camera only (no estimate, nothing from the face).</summary>
    public ILogger? Log { get; init; }
    private readonly AgeGroups _groups = new(settings.Analysis.EffectiveAgeGroups);
    private readonly Dictionary<string, CameraState> _cameras = [];

    public async Task RunAsync(ChannelReader<FusionInput> input, ChannelWriter<OutgoingMessage> output, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var more = input.WaitToReadAsync(cancellationToken).AsTask();
                await Task.WhenAny(more, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
                while (input.TryRead(out var item)) await HandleAsync(item, output, cancellationToken);
                await TickAsync(output, flush: false, cancellationToken);
                if (more.IsCompleted && !await more) break;
            }
        }
        finally
        {
            // Shutdown: nobody waits for the re-entry window; everyone still departed or present is published.
            foreach (var (id, cam) in _cameras)
                foreach (var e in cam.Registry.Expire(_clock.GetUtcNow(), flush: true))
                    output.TryWrite(PersonMessage(e, cam, final: true));
        }
    }

    private CameraState Camera(string id)
    {
        if (!_cameras.TryGetValue(id, out var state))
            _cameras[id] = state = new CameraState { Registry = new PersonRegistry(id, settings.Fusion, _groups), WindowStart = _clock.GetUtcNow() };
        return state;
    }

    private async Task HandleAsync(FusionInput item, ChannelWriter<OutgoingMessage> output, CancellationToken cancellationToken)
    {
        var cam = Camera(item.CameraId);
        switch (item)
        {
            case TrackSeen seen:
                cam.Registry.TrackSeen(seen.TrackId, seen.Time);
                cam.Present.Add(seen.TrackId);
                break;
            case SampleReady sample:
                cam.Registry.AddSample(sample.TrackId, sample.Sample);
                if (LiveView is not null && cam.Registry.Current(sample.TrackId) is { } estimate) LiveView.OnEstimate(item.CameraId, sample.TrackId, estimate);
                if (!sample.Flushed)
                {
                    double latency = Math.Max(0, (_clock.GetUtcNow() - sample.CapturedAt).TotalSeconds);
                    metrics.PipelineLatency.Observe(latency);
                    LatencyObserved?.Invoke(latency);
                }
                if (settings.Pipeline.PersonUpdateSeconds > 0 && cam.Present.Contains(sample.TrackId)
                    && (!cam.LastUpdate.TryGetValue(sample.TrackId, out var last) || _clock.GetUtcNow() - last >= TimeSpan.FromSeconds(settings.Pipeline.PersonUpdateSeconds))
                    && cam.Registry.Current(sample.TrackId) is { } current)
                {
                    cam.LastUpdate[sample.TrackId] = _clock.GetUtcNow();
                    await output.WriteAsync(new OutgoingMessage(topics.Person(item.CameraId), Payloads.Serialize(Payloads.Person(current, final: false)), false, "person_update"), cancellationToken);
                }
                break;
            case TrackEnded ended:
                cam.Present.Remove(ended.TrackId);
                cam.LastUpdate.Remove(ended.TrackId);
                cam.Registry.TrackEnded(ended.TrackId, ended.Time);
                LiveView?.OnTrackEnded(item.CameraId, ended.TrackId);
                break;
            case Occupancy occupancy:
                cam.Occupancy = occupancy.Present;
                LiveView?.OnOccupancy(item.CameraId, occupancy.Present);
                await output.WriteAsync(new OutgoingMessage(topics.Occupancy(item.CameraId),
                    Payloads.Serialize(new Payloads.OccupancyMessage(item.CameraId, occupancy.Present, _clock.GetUtcNow())), true, "occupancy"), cancellationToken);
                break;
            case CameraStatusChanged changed:
                var s = changed.Status;
                LiveView?.OnState(s.CameraId, s.State);
                var name = settings.Cameras.FirstOrDefault(c => c.Id == s.CameraId)?.Name;
                await output.WriteAsync(new OutgoingMessage(topics.CameraStatus(s.CameraId),
                    Payloads.Serialize(new Payloads.CameraStatusMessage(s.CameraId, name, s.State, s.Reason, s.Since)), true, "status"), cancellationToken);
                break;
        }
    }

    private async Task TickAsync(ChannelWriter<OutgoingMessage> output, bool flush, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        foreach (var (id, cam) in _cameras)
        {
            foreach (var e in cam.Registry.Expire(now, flush))
                await output.WriteAsync(PersonMessage(e, cam, final: true), cancellationToken);
            if (now - cam.WindowStart >= TimeSpan.FromSeconds(settings.Pipeline.StatsWindowSeconds))
            {
                var counts = cam.Counts.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.Value.ToDictionary(k => k.Key, k => k.Value));
                var stats = new Payloads.StatsMessage(id, cam.WindowStart, now, cam.PeopleSeen, cam.Occupancy, counts,
                    cam.PeopleSeen > 0 ? Math.Round(cam.DwellSum / cam.PeopleSeen, 1) : null);
                await output.WriteAsync(new OutgoingMessage(topics.Stats(id), Payloads.Serialize(stats), false, "stats"), cancellationToken);
                cam.WindowStart = now;
                cam.PeopleSeen = 0;
                cam.DwellSum = 0;
                cam.Counts.Clear();
            }
        }
    }

    private OutgoingMessage PersonMessage(PersonEvent e, CameraState cam, bool final)
    {
        cam.PeopleSeen++;
        cam.DwellSum += e.DwellSeconds;
        if (!cam.Counts.TryGetValue(e.AgeGroup, out var byGender)) cam.Counts[e.AgeGroup] = byGender = new() { ["female"] = 0, ["male"] = 0 };
        byGender[e.Gender]++;
        metrics.PersonsPublished.WithLabels(e.CameraId, e.AgeGroup, e.Gender).Inc();
        LiveView?.OnPersonLeft(e);
        Log?.LogInformation("Person {PersonId} left camera {Camera}", e.PersonId, e.CameraId);
        return new OutgoingMessage(topics.Person(e.CameraId), Payloads.Serialize(Payloads.Person(e, final)), false, "person");
    }
}

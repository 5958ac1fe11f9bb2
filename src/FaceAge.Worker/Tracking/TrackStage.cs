using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Inference;
using FaceAge.Core.Tracking;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Tracking;

/// <summary>
/// One camera's track stage: keeps face identities across frames (Kalman + IoU, ByteTrack's low-score pass) in scene
/// time, tells the fuse stage which tracks are seen and which ended, and offers the crops of tracks that are due a
/// sample to the estimation side through an <see cref="ICropQueue"/>.
/// </summary>
public sealed class TrackStage(
    string cameraId, FaceTracker tracker, FaceSampling sampling, ICropQueue crops, TimeSpan maxLostTime, bool sceneTimeIsWallClock,
    WorkerMetrics metrics, IFrameObserver? observer = null)
{
    public async Task RunAsync(ChannelReader<DetectedFrame> input, ChannelWriter<FusionInput> fusion, CancellationToken cancellationToken)
    {
        int lastOccupancy = -1;
        var active = metrics.TracksActive.WithLabels(cameraId);
        var trackCpu = metrics.StageCpu.WithLabels("track");
        var cropCpu = metrics.StageCpu.WithLabels("crop");
        try
        {
            while (true)
            {
                var more = input.WaitToReadAsync(cancellationToken).AsTask();
                // A live camera's frames may stop (offline): without a tick, tracks would never end and nobody would leave.
                // A file's scene time moves only with its frames, so it never ticks by the wall clock.
                if (sceneTimeIsWallClock && !await more.CompletesWithinAsync(maxLostTime, TimeProvider.System, cancellationToken))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var now = DateTimeOffset.UtcNow;
                    var idle = tracker.Predict(now);
                    foreach (var ended in idle.Ended) await EndTrackAsync(ended.Id, now, fusion, cancellationToken);
                    lastOccupancy = await ReportOccupancyAsync(idle.Active.Count, lastOccupancy, now, fusion, cancellationToken);
                    continue;
                }
                if (!await more) break;
                while (input.TryRead(out var item))
                {
                    using (item)
                    {
                        var frame = item.Frame;
                        var time = frame.Time;
                        double started = ThreadCpuTime.Now();
                        var update = item.Detections is { } d ? tracker.Update(d, time, item.FullySearched, (frame.Video.Width, frame.Video.Height))
                            : tracker.Predict(time);
                        trackCpu.Inc(ThreadCpuTime.Now() - started);
                        foreach (var track in update.Active)
                        {
                            // Cut a crop only for a track the scheduler would sample now: cutting costs as much as a tenth of an estimate.
                            if (track.MatchedThisFrame && crops.Wants(cameraId, track.Id, frame.CapturedAt))
                            {
                                started = ThreadCpuTime.Now();
                                crops.Offer(new CropRequest(cameraId, track.Id, sampling.Cut(frame.Video.Pixels, track.LastDetection), frame.CapturedAt, time));
                                cropCpu.Inc(ThreadCpuTime.Now() - started);
                            }
                            await fusion.WriteAsync(new TrackSeen(cameraId, track.Id, time), cancellationToken);
                        }
                        foreach (var ended in update.Ended) await EndTrackAsync(ended.Id, time, fusion, cancellationToken);
                        observer?.OnFrame(cameraId, frame.Video.Pixels, update.Active.Select(t => (t.Id, t.Box)), time);
                        lastOccupancy = await ReportOccupancyAsync(update.Active.Count, lastOccupancy, time, fusion, cancellationToken);
                        active.Set(update.Active.Count);
                    }
                }
            }
        }
        finally
        {
            // Stream over (file end, shutdown): every open track ends now, at the last scene time seen.
            var end = tracker.Tracks.Count > 0 ? tracker.Tracks.Max(t => t.LastSeen) : DateTimeOffset.UtcNow;
            foreach (var t in tracker.EndAll()) await EndTrackAsync(t.Id, sceneTimeIsWallClock ? DateTimeOffset.UtcNow : end, fusion, CancellationToken.None);
            active.Set(0);
            await fusion.WriteAsync(new OccupancyObserved(cameraId, 0, DateTimeOffset.UtcNow), CancellationToken.None);
        }
    }

    private async Task<int> ReportOccupancyAsync(int present, int last, DateTimeOffset time, ChannelWriter<FusionInput> fusion,
        CancellationToken cancellationToken)
    {
        if (present != last) await fusion.WriteAsync(new OccupancyObserved(cameraId, present, time), cancellationToken);
        return present;
    }

    private async Task EndTrackAsync(long trackId, DateTimeOffset time, ChannelWriter<FusionInput> fusion, CancellationToken cancellationToken)
    {
        crops.TrackEnded(cameraId, trackId);
        await fusion.WriteAsync(new TrackEnded(cameraId, trackId, time), cancellationToken);
    }
}

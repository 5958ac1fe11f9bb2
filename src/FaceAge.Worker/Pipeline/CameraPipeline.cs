using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Core.Imaging;
using FaceAge.Core.Tracking;
using FaceAge.Worker.Capture;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using Microsoft.Extensions.Logging;

namespace FaceAge.Worker.Pipeline;

/// <summary>
/// The per-camera stages: capture (ffmpeg reader) → detect (every Nth frame) → track (Kalman + IoU) and
/// crop selection (the best crop per track per sampling interval). Crops go to the shared estimate
/// stage, track events to the shared fuse stage.
/// </summary>
public sealed class CameraPipeline(
    CameraOptions camera, WorkerSettings settings, FaceAnalyzer analyzer, WorkerMetrics metrics, ILogger logger,
    ChannelWriter<CropRequest> crops, ChannelWriter<FusionInput> fusion, LiveView.LiveViewState? liveView = null)
{
    private sealed class PendingCrop
    {
        public DateTimeOffset LastSent = DateTimeOffset.MinValue;
        public CropRequest? Best;
    }

    // The best crop is chosen among recent frames only, so a sample is never much older than its frame.
    private static readonly TimeSpan FreshCrop = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<long, PendingCrop> _pending = [];
    private readonly FaceCropper _cropper = new(settings.Analysis.CropMargin, settings.Analysis.AlignByLandmarks);

    public Task RunAsync(CancellationToken cancellationToken)
    {
        bool live = camera.IsLive;
        var captured = StageChannels.Create<CameraFrame>(settings.Pipeline.QueueCapacity, live, metrics, camera.Id, "detect");
        var detected = StageChannels.Create<DetectedFrame>(settings.Pipeline.QueueCapacity, live, metrics, camera.Id, "track");
        var reader = new CameraReader(camera, settings.Watchdog, metrics, logger,
            status => fusion.TryWrite(new CameraStatusChanged(status)));
        return Task.WhenAll(
            RunStage(() => reader.RunAsync(captured.Writer, cancellationToken), () => captured.Writer.TryComplete()),
            RunStage(() => DedicatedThread.Run($"detect-{camera.Id}", () => DetectLoop(captured.Reader, detected.Writer, cancellationToken)), () => detected.Writer.TryComplete()),
            RunStage(() => TrackAsync(detected.Reader, cancellationToken), () => { }));
    }

    /// <summary>Runs a stage; when it ends, however it ends, the channel after it is completed so the next stage drains and ends too.</summary>
    private async Task RunStage(Func<Task> stage, Action complete)
    {
        try
        {
            await stage();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            // One camera's failure must not stop the others: log it, and the stage ends for this camera only.
            logger.LogError(e, "Camera {Camera}: pipeline stage failed", camera.Id);
        }
        finally
        {
            complete();
        }
    }

    private void DetectLoop(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
    {
        while (DedicatedThread.WaitToRead(input, cancellationToken))
        {
            while (input.TryRead(out var frame))
            {
                IReadOnlyList<Core.Detection.FaceDetection>? detections = null;
                try
                {
                    if (frame.Sequence % settings.Pipeline.DetectEveryNthFrame == 0)
                    {
                        var started = System.Diagnostics.Stopwatch.GetTimestamp();
                        detections = analyzer.Detect(frame.Image);
                        metrics.InferenceSeconds.WithLabels("detector").Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                        metrics.Detections.WithLabels(camera.Id).Inc(detections.Count);
                    }
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
                DedicatedThread.Write(output, new DetectedFrame(frame, detections), cancellationToken);
            }
        }
    }

    private async Task TrackAsync(ChannelReader<DetectedFrame> input, CancellationToken cancellationToken)
    {
        var tracker = new FaceTracker(settings.Tracking, camera.MaxFps > 0 ? camera.MaxFps : 10);
        var interval = TimeSpan.FromSeconds(1 / settings.Pipeline.SamplesPerSecondPerTrack);
        int lastOccupancy = -1;
        try
        {
            while (true)
            {
                // Frames may stop (camera offline): without a tick, tracks would never end and nobody would leave.
                var more = input.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(more, Task.Delay(settings.Tracking.MaxLostTime, cancellationToken)) != more)
                {
                    var idle = tracker.Predict(DateTimeOffset.UtcNow);
                    foreach (var ended in idle.Ended) await EndTrackAsync(ended.Id, DateTimeOffset.UtcNow, cancellationToken);
                    lastOccupancy = await ReportOccupancyAsync(idle.Active.Count, lastOccupancy, cancellationToken);
                    continue;
                }
                if (!await more) break;
                while (input.TryRead(out var item))
                {
                    using (item)
                    {
                        var time = item.Frame.CapturedAt;
                        var update = item.Detections is { } d ? tracker.Update(d, time) : tracker.Predict(time);
                        foreach (var track in update.Active)
                        {
                            await fusion.WriteAsync(new TrackSeen(camera.Id, track.Id, time), cancellationToken);
                            if (track.MatchedThisFrame) await ConsiderCropAsync(track, item.Frame, interval, cancellationToken);
                        }
                        foreach (var ended in update.Ended) await EndTrackAsync(ended.Id, time, cancellationToken);
                        liveView?.OnFrame(camera.Id, item.Frame.Image, update.Active.Select(t => (t.Id, t.Box)), time);
                        lastOccupancy = await ReportOccupancyAsync(update.Active.Count, lastOccupancy, cancellationToken);
                    }
                }
            }
        }
        finally
        {
            // Stream over (file end, shutdown): every open track ends now.
            foreach (var t in tracker.EndAll()) await EndTrackAsync(t.Id, DateTimeOffset.UtcNow, CancellationToken.None);
            metrics.TracksActive.WithLabels(camera.Id).Set(0);
            fusion.TryWrite(new Occupancy(camera.Id, 0));
        }
    }

    private async Task<int> ReportOccupancyAsync(int present, int last, CancellationToken cancellationToken)
    {
        metrics.TracksActive.WithLabels(camera.Id).Set(present);
        if (present != last) await fusion.WriteAsync(new Occupancy(camera.Id, present), cancellationToken);
        return present;
    }

    /// <summary>Keeps the best crop of the interval; sends it when the track's interval has passed.</summary>
    private async Task ConsiderCropAsync(FaceTrack track, CameraFrame frame, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(track.Id, out var pending)) _pending[track.Id] = pending = new PendingCrop();
        var detection = track.LastDetection;
        int size = (int)Math.Round(Math.Max(detection.Box.Width, detection.Box.Height));
        var crop = _cropper.Crop(frame.Image, detection, FaceResEstimator.InputSize);
        double quality = FaceQuality.Score(size, Sharpness.LaplacianVariance(crop), settings.Analysis.GoodFaceSize) * Frontalness(detection);
        if (pending.Best is null || quality > pending.Best.Quality || frame.CapturedAt - pending.Best.CapturedAt > FreshCrop)
        {
            pending.Best?.Dispose();
            pending.Best = new CropRequest(camera.Id, track.Id, crop, quality, size, frame.CapturedAt);
        }
        else crop.Dispose();

        if (frame.CapturedAt - pending.LastSent >= interval && pending.Best is { } best)
        {
            pending.Best = null;
            pending.LastSent = frame.CapturedAt;
            await crops.WriteAsync(best, cancellationToken);
        }
    }

    private async Task EndTrackAsync(long trackId, DateTimeOffset time, CancellationToken cancellationToken)
    {
        if (_pending.Remove(trackId, out var pending) && pending.Best is { } best)
        {
            // The last best crop of a short visit still counts.
            if (!crops.TryWrite(best with { Flushed = true })) best.Dispose();
        }
        await fusion.WriteAsync(new TrackEnded(camera.Id, trackId, time), cancellationToken);
    }

    /// <summary>1 for a frontal face; lower when the nose is far from the eyes' midpoint (turned head). 1 without landmarks.</summary>
    private static double Frontalness(Core.Detection.FaceDetection d)
    {
        if (d.Landmarks is not { } lm) return 1;
        double eyeDistance = Math.Abs(lm.LeftEye.X - lm.RightEye.X);
        if (eyeDistance < 1) return 0.3;
        double offset = Math.Abs(lm.Nose.X - (lm.LeftEye.X + lm.RightEye.X) / 2) / eyeDistance;
        return Math.Clamp(1 - offset, 0.3, 1);
    }
}

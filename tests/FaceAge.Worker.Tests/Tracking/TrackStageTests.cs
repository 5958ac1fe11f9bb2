using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Sources;
using FaceAge.Core.Tracking;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Estimation;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace FaceAge.Worker.Tests.Tracking;

/// <summary>The track stage in-process, fed detections of a face moving across frames.</summary>
public class TrackStageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A track stage for camera "cam" at 10 fps, sampling 2 crops per track per second, and its crop scheduler.</summary>
    private static (TrackStage Stage, CropScheduler Crops) Stage(TimeSpan maxLostTime, bool sceneTimeIsWallClock)
    {
        var options = new PipelineOptions { SamplesPerSecondPerTrack = 2, SampleMaxAgeMilliseconds = 60_000 };
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        var crops = new CropScheduler(options, metrics, NullLogger.Instance);
        var stage = new TrackStage("cam", new FaceTracker(new TrackerOptions(), 10), new FaceSampling(new AnalyzerOptions()), crops,
            maxLostTime, sceneTimeIsWallClock, metrics);
        return (stage, crops);
    }

    [Fact]
    public async Task A_moving_face_is_one_track_whose_crops_are_offered_when_due_and_which_ends_at_its_last_scene_time()
    {
        var (stage, crops) = Stage(TimeSpan.FromSeconds(1.5), sceneTimeIsWallClock: false);
        using var _ = crops;
        var detected = Channel.CreateUnbounded<DetectedFrame>();
        var fusion = Channel.CreateUnbounded<FusionInput>();
        var run = stage.RunAsync(detected.Reader, fusion.Writer, CancellationToken.None);

        // 20 frames at 10 fps (scene time), the face 80 px wide moving 6 px a frame; every frame's crop is offered if due.
        for (int i = 0; i < 20; i++)
        {
            var time = T0.AddSeconds(i / 10.0);
            var image = new Mat(360, 640, MatType.CV_8UC3, new Scalar(40, 80, 120));
            var frame = new CameraFrame("cam", new VideoFrame(image, i, TimeSpan.FromSeconds(i / 10.0)), i, DateTimeOffset.UtcNow, time);
            await detected.Writer.WriteAsync(new DetectedFrame(frame, [new FaceDetection(new BoxF(100 + 6 * i, 120, 80, 90), 0.95f)]));
        }
        detected.Writer.Complete();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var inputs = new List<FusionInput>();
        while (fusion.Reader.TryRead(out var item)) inputs.Add(item);
        var seen = inputs.OfType<TrackSeen>().ToList();
        Assert.Single(seen.Select(s => s.TrackId).Distinct());
        Assert.Equal(18, seen.Count); // confirmed on its third detection
        var ended = Assert.Single(inputs.OfType<TrackEnded>());
        Assert.Equal(T0.AddSeconds(1.9), ended.Time);
        Assert.Equal([0, 1, 0], inputs.OfType<OccupancyObserved>().Select(o => o.Present)); // none until confirmed, one, none at the end

        crops.Complete();
        var offered = crops.Take(8, TimeSpan.Zero, CancellationToken.None);
        var crop = Assert.Single(offered); // one crop waiting (the track is due, none was taken); the track ended with no sample
        Assert.Equal((224, 224), (crop.Face.Crop.Width, crop.Face.Crop.Height));
        Assert.True(crop.Flushed);
        crop.Dispose();
    }

    [Fact]
    public async Task A_live_camera_whose_frames_stop_ends_its_tracks_after_the_max_lost_time_by_the_wall_clock()
    {
        var maxLost = TimeSpan.FromMilliseconds(400);
        var (stage, crops) = Stage(maxLost, sceneTimeIsWallClock: true);
        using var _ = crops;
        var detected = Channel.CreateUnbounded<DetectedFrame>();
        var fusion = Channel.CreateUnbounded<FusionInput>();
        using var stop = new CancellationTokenSource();
        var run = stage.RunAsync(detected.Reader, fusion.Writer, stop.Token);

        // Five frames 100 ms apart by the wall clock (a live camera), each a wait of its own for the stage; then none.
        for (int i = 0; i < 5; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var frame = new CameraFrame("cam", new VideoFrame(new Mat(360, 640, MatType.CV_8UC3, new Scalar(40, 80, 120)), i, TimeSpan.FromSeconds(i / 10.0)),
                i, now, now);
            await detected.Writer.WriteAsync(new DetectedFrame(frame, [new FaceDetection(new BoxF(100 + 6 * i, 120, 80, 90), 0.95f)]));
            await Task.Delay(100);
        }
        var lastFrame = DateTimeOffset.UtcNow;
        TrackEnded? ended = null;
        var inputs = new List<FusionInput>();
        while (ended is null)
        {
            var item = await fusion.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            inputs.Add(item);
            ended = item as TrackEnded;
        }
        var after = DateTimeOffset.UtcNow - lastFrame;
        Assert.NotEmpty(inputs.OfType<TrackSeen>());
        // Nothing came after the last frame: the stage's idle tick ended the track, no sooner than the max lost time.
        Assert.InRange(after, maxLost - TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        Assert.False(run.IsCompleted); // the camera is only quiet: the stage waits on
        stop.Cancel();
        await run.ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(10));
        crops.Complete();
        foreach (var c in crops.Take(8, TimeSpan.Zero, CancellationToken.None)) c.Dispose();
    }
}

using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Sources;
using FaceAge.Core.Tracking;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Detection;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sources;
using FaceAge.Worker.Tracking;

namespace FaceAge.Worker.Pipeline;

/// <summary>
/// One camera's stages, each joined to the next by a bounded channel: source (supervised) → detect → track, which
/// offers crops to the shared crop queue (estimation) and reports tracks to the shared fuse stage; the camera's status
/// goes straight to the events. A stage that fails ends this camera only; the channel after it completes, so the rest
/// drains.
/// </summary>
public sealed class CameraPipeline(
    CameraOptions camera, WorkerSettings settings, IFaceDetector detector, DetectorGate gate, FaceSampling sampling, ICropQueue crops,
    ChannelWriter<FusionInput> fusion, ChannelWriter<WorkerEvent> events, IFrameSourceFactory sources, WorkerMetrics metrics, ILogger logger,
    IFrameObserver? observer = null)
{
    public Task RunAsync(CancellationToken cancellationToken)
    {
        bool live = camera.IsLive;
        // A live camera's detector always takes the newest frame: a queue in front of it would only add latency.
        var captured = StageChannels.Create<CameraFrame>(live ? 1 : settings.Pipeline.QueueCapacity, live, metrics, camera.Id, "detect");
        var detected = StageChannels.Create<DetectedFrame>(settings.Pipeline.QueueCapacity, live, metrics, camera.Id, "track");
        var supervisor = new CameraSupervisor(camera, settings.Watchdog, sources, metrics, logger, events.WriteAsync);
        var tracker = new FaceTracker(settings.Tracking, camera.MaxFps > 0 ? camera.MaxFps : 10);
        var track = new TrackStage(camera.Id, tracker, sampling, crops, settings.Tracking.MaxLostTime,
            sceneTimeIsWallClock: !camera.Kind.IsFile, metrics, observer);
        return Task.WhenAll(
            RunStage(() => supervisor.RunAsync(captured.Writer, cancellationToken), () => captured.Writer.TryComplete()),
            RunStage(() => new DetectStage(camera.Id, detector, gate, settings.Pipeline, metrics, live)
                    .RunAsync(captured.Reader, detected.Writer, cancellationToken),
                () => detected.Writer.TryComplete()),
            RunStage(() => track.RunAsync(detected.Reader, fusion, cancellationToken), () => Drain(detected.Reader)));
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

    /// <summary>Frames left in a channel nobody reads any more go back to their pool.</summary>
    private static void Drain(ChannelReader<DetectedFrame> reader)
    {
        while (reader.TryRead(out var item)) item.Dispose();
    }
}

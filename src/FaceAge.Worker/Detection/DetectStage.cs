using System.Diagnostics;
using System.Threading.Channels;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Detection;

/// <summary>
/// One camera's detect stage: the face detector on every Nth frame (the tracker predicts in between), its tiles for
/// small faces on every Mth of those (Pipeline:TilesEveryNthFrame: tiles are 4 of a frame's 5 detector runs; put off
/// while the stage is behind, <see cref="TileSchedule"/>), on a thread of its own (ONNX Runtime blocks; on pool
/// threads eight cameras' detectors starved the frame readers), one run at a time per slot of the shared
/// <see cref="DetectorGate"/>. A live camera whose turn came after newer frames arrived detects the newest and drops
/// the one it held (counted, stage "detect"): a frame is never detected once a fresher one is there.
/// </summary>
/// <param name="live">A live camera drops frames when this stage is behind, so its tiles give way first; a file waits, and keeps every tile pass.</param>
public sealed class DetectStage(string cameraId, IFaceDetector detector, DetectorGate gate, PipelineOptions options, WorkerMetrics metrics, bool live)
{
    public Task RunAsync(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
        => DedicatedThread.Run($"detect-{cameraId}", () => Loop(input, output, cancellationToken));

    private void Loop(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
    {
        var seconds = metrics.InferenceSeconds.WithLabels("detector");
        var detections = metrics.Detections.WithLabels(cameraId);
        var cpu = metrics.StageCpu.WithLabels("detect");
        var tilePasses = metrics.TilePasses.WithLabels(cameraId, "run");
        var tilesPostponed = metrics.TilePasses.WithLabels(cameraId, "postponed");
        var dropped = metrics.FramesDropped.WithLabels(cameraId, "detect");
        var schedule = new TileSchedule(options.TilesEveryNthFrame);
        using var turn = gate.NewTurn();
        long lastSequence = long.MinValue;
        while (DedicatedThread.WaitToRead(input, cancellationToken))
        {
            while (input.TryRead(out var next))
            {
                var frame = next;
                IReadOnlyList<FaceDetection>? found = null;
                var tiled = detector as TiledFaceDetector;
                bool fullySearched = tiled is null; // a detector without tiles searches the whole frame every time
                try
                {
                    if (frame.Sequence % options.DetectEveryNthFrame == 0)
                    {
                        gate.Enter(turn, cancellationToken);
                        long started = 0;
                        try
                        {
                            if (live) frame = Newest(frame, input, dropped);
                            if (tiled is not null)
                            {
                                // Behind: the camera dropped frames since the last one seen here, or a newer one is already waiting.
                                bool behind = live && options.PostponeTilesWhenBehind
                                    && ((lastSequence != long.MinValue && frame.Sequence - lastSequence > 1) || input.Count > 0);
                                fullySearched = schedule.Next(behind, out bool postponed);
                                if (fullySearched) tilePasses.Inc();
                                else if (postponed) tilesPostponed.Inc();
                            }
                            started = Stopwatch.GetTimestamp();
                            double cpuStarted = ThreadCpuTime.Now();
                            found = tiled is not null ? tiled.Detect(frame.Video.Pixels, fullySearched) : detector.Detect(frame.Video.Pixels);
                            cpu.Inc(ThreadCpuTime.Now() - cpuStarted);
                            seconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                            detections.Inc(found.Count);
                        }
                        finally
                        {
                            gate.Exit(started == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started));
                        }
                    }
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
                lastSequence = frame.Sequence;
                DedicatedThread.Write(output, new DetectedFrame(frame, found, fullySearched), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The newest frame the camera has for this stage now: frames that came while this one waited for its turn replace
    /// it (the one held is dropped and counted). Only frames due for detection replace it, so the Nth-frame rhythm holds.
    /// </summary>
    private CameraFrame Newest(CameraFrame frame, ChannelReader<CameraFrame> input, Prometheus.Counter.Child dropped)
    {
        while (input.TryPeek(out var newer) && newer.Sequence % options.DetectEveryNthFrame == 0 && input.TryRead(out newer))
        {
            frame.Dispose();
            dropped.Inc();
            frame = newer;
        }
        return frame;
    }
}

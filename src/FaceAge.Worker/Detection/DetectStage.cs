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
/// threads eight cameras' detectors starved the frame readers).
/// </summary>
/// <param name="live">A live camera drops frames when this stage is behind, so its tiles give way first; a file waits, and keeps every tile pass.</param>
public sealed class DetectStage(string cameraId, IFaceDetector detector, PipelineOptions options, WorkerMetrics metrics, bool live)
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
        var schedule = new TileSchedule(options.TilesEveryNthFrame);
        long lastSequence = long.MinValue;
        while (DedicatedThread.WaitToRead(input, cancellationToken))
        {
            while (input.TryRead(out var frame))
            {
                IReadOnlyList<FaceDetection>? found = null;
                var tiled = detector as TiledFaceDetector;
                bool fullySearched = tiled is null; // a detector without tiles searches the whole frame every time
                try
                {
                    if (frame.Sequence % options.DetectEveryNthFrame == 0)
                    {
                        if (tiled is not null)
                        {
                            // Behind: the camera dropped frames since the last one seen here, or a newer one is already waiting.
                            bool behind = live && options.PostponeTilesWhenBehind
                                && ((lastSequence != long.MinValue && frame.Sequence - lastSequence > 1) || input.Count > 0);
                            fullySearched = schedule.Next(behind, out bool postponed);
                            if (fullySearched) tilePasses.Inc();
                            else if (postponed) tilesPostponed.Inc();
                        }
                        var started = Stopwatch.GetTimestamp();
                        double cpuStarted = ThreadCpuTime.Now();
                        found = tiled is not null ? tiled.Detect(frame.Video.Pixels, fullySearched) : detector.Detect(frame.Video.Pixels);
                        cpu.Inc(ThreadCpuTime.Now() - cpuStarted);
                        seconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                        detections.Inc(found.Count);
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
}

using FaceAge.Worker.Channels;
using System.Diagnostics;
using System.Threading.Channels;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Sources;

namespace FaceAge.Worker.Detection;

/// <summary>
/// One camera's detect stage: the face detector on every Nth frame (the tracker predicts in between), its tiles for
/// small faces on every Mth of those (Pipeline:TilesEveryNthFrame: tiles are 4 of a frame's 5 detector runs), on a
/// thread of its own (ONNX Runtime blocks; on pool threads eight cameras' detectors starved the frame readers).
/// </summary>
public sealed class DetectStage(string cameraId, IFaceDetector detector, PipelineOptions options, WorkerMetrics metrics)
{
    public Task RunAsync(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
        => DedicatedThread.Run($"detect-{cameraId}", () => Loop(input, output, cancellationToken));

    private void Loop(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
    {
        var seconds = metrics.InferenceSeconds.WithLabels("detector");
        var detections = metrics.Detections.WithLabels(cameraId);
        var cpu = metrics.StageCpu.WithLabels("detect");
        while (DedicatedThread.WaitToRead(input, cancellationToken))
        {
            while (input.TryRead(out var frame))
            {
                IReadOnlyList<FaceDetection>? found = null;
                bool tiles = detector is not TiledFaceDetector || frame.Sequence % (options.DetectEveryNthFrame * options.TilesEveryNthFrame) == 0;
                try
                {
                    if (frame.Sequence % options.DetectEveryNthFrame == 0)
                    {
                        var started = Stopwatch.GetTimestamp();
                        double cpuStarted = ThreadCpuTime.Now();
                        found = detector is TiledFaceDetector tiled ? tiled.Detect(frame.Image, tiles) : detector.Detect(frame.Image);
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
                DedicatedThread.Write(output, new DetectedFrame(frame, found, tiles), cancellationToken);
            }
        }
    }
}

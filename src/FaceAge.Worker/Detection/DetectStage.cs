using FaceAge.Worker.Channels;
using System.Diagnostics;
using System.Threading.Channels;
using FaceAge.Core.Detection;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Sources;

namespace FaceAge.Worker.Detection;

/// <summary>
/// One camera's detect stage: the face detector on every Nth frame (the tracker predicts in between), on a thread of
/// its own (ONNX Runtime blocks; on pool threads eight cameras' detectors starved the frame readers).
/// </summary>
public sealed class DetectStage(string cameraId, IFaceDetector detector, PipelineOptions options, WorkerMetrics metrics)
{
    public Task RunAsync(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
        => DedicatedThread.Run($"detect-{cameraId}", () => Loop(input, output, cancellationToken));

    private void Loop(ChannelReader<CameraFrame> input, ChannelWriter<DetectedFrame> output, CancellationToken cancellationToken)
    {
        var seconds = metrics.InferenceSeconds.WithLabels("detector");
        var detections = metrics.Detections.WithLabels(cameraId);
        while (DedicatedThread.WaitToRead(input, cancellationToken))
        {
            while (input.TryRead(out var frame))
            {
                IReadOnlyList<FaceDetection>? found = null;
                try
                {
                    if (frame.Sequence % options.DetectEveryNthFrame == 0)
                    {
                        var started = Stopwatch.GetTimestamp();
                        found = detector.Detect(frame.Image);
                        seconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                        detections.Inc(found.Count);
                    }
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
                DedicatedThread.Write(output, new DetectedFrame(frame, found), cancellationToken);
            }
        }
    }
}

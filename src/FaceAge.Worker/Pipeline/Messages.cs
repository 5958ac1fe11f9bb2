using FaceAge.Core.Detection;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Capture;
using OpenCvSharp;

namespace FaceAge.Worker.Pipeline;

/// <summary>A frame after the detect stage; Detections is null on frames where detection was skipped.</summary>
public sealed record DetectedFrame(CameraFrame Frame, IReadOnlyList<FaceDetection>? Detections) : IDisposable
{
    public void Dispose() => Frame.Dispose();
}

/// <summary>A face crop chosen for age/gender inference (the best of its track's sampling interval).</summary>
/// <param name="Flushed">Sent because the track ended, possibly long after capture: not counted as pipeline latency.</param>
public sealed record CropRequest(string CameraId, long TrackId, Mat Crop, double Quality, int FaceSize, DateTimeOffset CapturedAt, bool Flushed = false) : IDisposable
{
    public void Dispose() => Crop.Dispose();
}

/// <summary>What the fuse stage consumes, in order per camera.</summary>
public abstract record FusionInput(string CameraId);
public sealed record TrackSeen(string CameraId, long TrackId, DateTimeOffset Time) : FusionInput(CameraId);
public sealed record TrackEnded(string CameraId, long TrackId, DateTimeOffset Time) : FusionInput(CameraId);
public sealed record SampleReady(string CameraId, long TrackId, PersonSample Sample, DateTimeOffset CapturedAt, bool Flushed = false) : FusionInput(CameraId);
public sealed record Occupancy(string CameraId, int Present) : FusionInput(CameraId);
public sealed record CameraStatusChanged(CameraStatus Status) : FusionInput(Status.CameraId);

/// <summary>An MQTT message to send.</summary>
public sealed record OutgoingMessage(string Topic, byte[] Payload, bool Retain, string Kind);

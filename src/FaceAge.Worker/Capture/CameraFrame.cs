using OpenCvSharp;

namespace FaceAge.Worker.Capture;

/// <summary>A decoded frame of one camera. The consumer that finishes with it disposes it.</summary>
public sealed record CameraFrame(string CameraId, Mat Image, long Sequence, DateTimeOffset CapturedAt) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

public enum CameraState { Connecting, Online, Offline, Ended }

public sealed record CameraStatus(string CameraId, CameraState State, string? Reason, DateTimeOffset Since);

using FaceAge.Core.Sources;

namespace FaceAge.Worker.Channels;

/// <summary>A decoded frame of one camera. The consumer that finishes with it disposes it (its buffer goes back to the pool).</summary>
/// <param name="Sequence">Frame number since the camera started (across restarts and loops).</param>
/// <param name="CapturedAt">Wall-clock time the frame was read: what latency is measured from.</param>
/// <param name="Time">
/// Scene time: when the frame shows things happening. For live sources the capture time; for files the camera's
/// start plus media time (continuing across loops and resumes), so dwell follows the video, not how fast it was read.
/// </param>
public sealed record CameraFrame(string CameraId, VideoFrame Video, long Sequence, DateTimeOffset CapturedAt, DateTimeOffset Time) : IDisposable
{
    public void Dispose() => Video.Dispose();
}

using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Fusion;

namespace FaceAge.Worker.Channels;

/// <summary>A frame after the detect stage; Detections is null on frames where detection was skipped.</summary>
/// <param name="FullySearched">The detector's tiles ran on this frame (or it has none): a face missing from it is news.</param>
public sealed record DetectedFrame(CameraFrame Frame, IReadOnlyList<FaceDetection>? Detections, bool FullySearched = true) : IDisposable
{
    public void Dispose() => Frame.Dispose();
}

/// <summary>A face crop of a track, offered for age/gender inference.</summary>
/// <param name="CapturedAt">Wall-clock capture time of its frame (latency is measured from it).</param>
/// <param name="Time">Scene time of its frame (what the sample is stamped with).</param>
/// <param name="Flushed">Sent because the track ended, possibly long after capture: not counted as pipeline latency.</param>
public sealed record CropRequest(string CameraId, long TrackId, FaceCrop Face, DateTimeOffset CapturedAt, DateTimeOffset Time, bool Flushed = false)
    : IDisposable
{
    public double Quality => Face.Quality;
    public void Dispose() => Face.Dispose();
}

/// <summary>What the fuse stage consumes, in order per camera.</summary>
public abstract record FusionInput(string CameraId);
public sealed record TrackSeen(string CameraId, long TrackId, DateTimeOffset Time) : FusionInput(CameraId);
public sealed record TrackEnded(string CameraId, long TrackId, DateTimeOffset Time) : FusionInput(CameraId);
public sealed record SampleReady(string CameraId, long TrackId, PersonSample Sample, DateTimeOffset CapturedAt, bool Flushed = false) : FusionInput(CameraId);
public sealed record OccupancyObserved(string CameraId, int Present, DateTimeOffset Time) : FusionInput(CameraId);

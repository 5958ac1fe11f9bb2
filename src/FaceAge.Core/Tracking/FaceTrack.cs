using FaceAge.Core.Detection;

namespace FaceAge.Core.Tracking;

public enum TrackState { Tentative, Confirmed, Ended }

/// <summary>One face followed over frames of one camera.</summary>
public sealed class FaceTrack
{
    private readonly KalmanBoxFilter _filter;

    internal FaceTrack(long id, FaceDetection detection, DateTimeOffset time)
    {
        Id = id;
        _filter = new KalmanBoxFilter(detection.Box);
        LastDetection = detection;
        FirstSeen = LastSeen = LastPredicted = time;
        Hits = 1;
        MatchedThisFrame = true;
    }

    public long Id { get; }
    public TrackState State { get; internal set; } = TrackState.Tentative;
    public int Hits { get; private set; }
    public DateTimeOffset FirstSeen { get; }
    /// <summary>Time of the last matched detection.</summary>
    public DateTimeOffset LastSeen { get; private set; }
    public FaceDetection LastDetection { get; private set; }
    /// <summary>True when the last update matched a detection (the box is measured, not only predicted).</summary>
    public bool MatchedThisFrame { get; internal set; }
    public BoxF Box => _filter.Box;
    internal DateTimeOffset LastPredicted { get; private set; }

    internal void Predict(DateTimeOffset time, double frameSeconds)
    {
        double frames = Math.Max(0, (time - LastPredicted).TotalSeconds / frameSeconds);
        if (frames > 0) _filter.Predict(frames);
        LastPredicted = time;
    }

    internal void Update(FaceDetection detection, DateTimeOffset time)
    {
        _filter.Update(detection.Box);
        LastDetection = detection;
        LastSeen = time;
        Hits++;
        MatchedThisFrame = true;
    }
}

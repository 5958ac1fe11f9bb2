using FaceAge.Core.Detection;

namespace FaceAge.Core.Tracking;

/// <summary>What one tracker step produced.</summary>
public sealed record TrackerUpdate(IReadOnlyList<FaceTrack> Active, IReadOnlyList<FaceTrack> Ended);

/// <summary>
/// Keeps face identities between detections of one camera: Kalman-predicted boxes matched to detections
/// by IoU, high-score detections first, then low-score detections for the still-unmatched tracks
/// (ByteTrack's second pass keeps a blurred or half-turned face on its track). Not thread-safe: one
/// tracker per camera, fed in frame order.
/// </summary>
public sealed class FaceTracker(TrackerOptions options, double nominalFps = 10)
{
    private readonly List<FaceTrack> _tracks = [];
    private long _nextId = 1;
    private readonly double _frameSeconds = 1 / Math.Max(1, nominalFps);
    private (int Width, int Height)? _frameSize;

    public IReadOnlyList<FaceTrack> Tracks => _tracks;

    /// <summary>Advances all tracks to <paramref name="time"/> without detections (frames where detection is skipped).</summary>
    public TrackerUpdate Predict(DateTimeOffset time)
    {
        foreach (var t in _tracks)
        {
            t.MatchedThisFrame = false;
            t.Predict(time, _frameSeconds);
        }
        return new TrackerUpdate(Confirmed(), EndLost(time));
    }

    /// <param name="fullySearched">
    /// False when this frame was detected without the detector's tiles. A tentative track is judged only on fully searched
    /// frames: the whole-frame pass sees a 1280-wide frame at a quarter of its size, so faces up to ~100 px may be found by
    /// the tiles alone, and dropping their tracks on every frame in between would keep them from ever being confirmed.
    /// </param>
    /// <param name="frameSize">The frame's width and height: a track predicted across the frame's edge is not continued by distance.</param>
    public TrackerUpdate Update(IReadOnlyList<FaceDetection> detections, DateTimeOffset time, bool fullySearched = true,
        (int Width, int Height)? frameSize = null)
    {
        _frameSize = frameSize;
        foreach (var t in _tracks)
        {
            t.MatchedThisFrame = false;
            t.Predict(time, _frameSeconds);
        }
        var high = detections.Where(d => d.Score >= options.HighScore).ToList();
        var low = detections.Where(d => d.Score >= options.LowScore && d.Score < options.HighScore).ToList();

        var unmatchedTracks = Match(_tracks.ToList(), high, time, out var unmatchedHigh);
        Match(unmatchedTracks.Where(t => t.State == TrackState.Confirmed).ToList(), low, time, out _);

        foreach (var d in unmatchedHigh) _tracks.Add(new FaceTrack(_nextId++, d, time));
        foreach (var t in _tracks)
            if (t.State == TrackState.Tentative && t.Hits >= options.ConfirmHits) t.State = TrackState.Confirmed;
        // A tentative track that misses a detection is dropped at once: it was most likely noise.
        if (fullySearched) _tracks.RemoveAll(t => t.State == TrackState.Tentative && !t.MatchedThisFrame);
        return new TrackerUpdate(Confirmed(), EndLost(time));
    }

    /// <summary>Ends every track (camera stopped or went offline).</summary>
    public IReadOnlyList<FaceTrack> EndAll()
    {
        var ended = _tracks.Where(t => t.State == TrackState.Confirmed).ToList();
        foreach (var t in ended) t.State = TrackState.Ended;
        _tracks.Clear();
        return ended;
    }

    private List<FaceTrack> Match(List<FaceTrack> tracks, List<FaceDetection> detections, DateTimeOffset time, out List<FaceDetection> unmatched)
    {
        // Greedy assignment by descending score: with few faces per frame it equals the optimal one in practice.
        var pairs = new List<(float Iou, FaceTrack Track, FaceDetection Detection)>();
        foreach (var t in tracks)
        {
            var predicted = t.Box;
            // Frames since the track's last detection: a face found only by the tiles is detected on every 2nd frame and
            // moves twice as far between detections. Beyond 2 frames the Kalman velocity, not a wider gate, has to carry it.
            float frames = (float)Math.Clamp((time - t.LastSeen).TotalSeconds / _frameSeconds, 1, 2);
            bool byDistance = time - t.LastSeen <= DistanceMatchMaxGap && InsideFrame(predicted);
            foreach (var d in detections)
                if (Affinity(predicted, d.Box, byDistance ? frames : 0) is > 0f and var score) pairs.Add((score, t, d));
        }
        var usedTracks = new HashSet<FaceTrack>();
        var usedDetections = new HashSet<FaceDetection>(ReferenceEqualityComparer.Instance);
        foreach (var (_, t, d) in pairs.OrderByDescending(p => p.Iou))
        {
            if (usedTracks.Contains(t) || usedDetections.Contains(d)) continue;
            t.Update(d, time);
            usedTracks.Add(t);
            usedDetections.Add(d);
        }
        unmatched = detections.Where(d => !usedDetections.Contains(d)).ToList();
        return tracks.Where(t => !usedTracks.Contains(t)).ToList();
    }

    /// <summary>Half a second: a few missed detections of a fast face, not someone leaving and another arriving.</summary>
    public static readonly TimeSpan DistanceMatchMaxGap = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// How well a detection continues a predicted box: its IoU when that reaches MatchIou; else, when the centres are
    /// within MatchDistance box sizes per frame since the track's last detection (at most 2) and the sizes within 1.5×, a
    /// score below MatchIou that falls with the distance (so overlapping pairs always go first); else 0. Only a track seen
    /// within <see cref="DistanceMatchMaxGap"/> and predicted wholly inside the frame is continued by distance
    /// (<paramref name="distanceFrames"/> 0 otherwise): one lost for longer, or gone past the edge, has most likely left,
    /// and a newcomer near where it was is someone else.
    /// </summary>
    private float Affinity(BoxF predicted, BoxF detected, float distanceFrames)
    {
        float iou = predicted.IntersectionOverUnion(detected);
        if (iou >= options.MatchIou) return iou;
        if (distanceFrames <= 0) return 0;
        float size = Math.Max(predicted.Width, predicted.Height), other = Math.Max(detected.Width, detected.Height);
        if (size <= 0 || other <= 0 || other > 1.5f * size || size > 1.5f * other || options.MatchDistance <= 0) return 0;
        float dx = predicted.CenterX - detected.CenterX, dy = predicted.CenterY - detected.CenterY;
        float distance = MathF.Sqrt(dx * dx + dy * dy) / size, limit = options.MatchDistance * distanceFrames;
        return distance < limit ? options.MatchIou * (1 - distance / limit) * 0.99f : 0;
    }

    /// <summary>
    /// Whether a predicted box lies wholly inside the frame (true when the frame size is not known). A face whose track is
    /// predicted across the edge is walking out, and someone entering at that edge a moment later is a newcomer: measured
    /// in the scene benchmark, a girl leaving at the left edge was continued by distance onto another girl entering there,
    /// which then also looked like a return of the first. At the edge only overlap continues a track.
    /// </summary>
    private bool InsideFrame(BoxF predicted)
        => _frameSize is not { } f || (predicted.X >= 0 && predicted.Y >= 0 && predicted.Right <= f.Width && predicted.Bottom <= f.Height);

    private List<FaceTrack> Confirmed() => _tracks.Where(t => t.State == TrackState.Confirmed).ToList();

    private List<FaceTrack> EndLost(DateTimeOffset time)
    {
        var ended = _tracks.Where(t => t.State == TrackState.Confirmed && time - t.LastSeen > options.MaxLostTime).ToList();
        foreach (var t in ended)
        {
            t.State = TrackState.Ended;
            _tracks.Remove(t);
        }
        return ended;
    }
}

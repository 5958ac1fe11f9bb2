namespace FaceAge.Core.Detection;

public static class NonMaxSuppression
{
    /// <summary>Greedy NMS: keeps the highest-scoring box of every group overlapping above the IoU threshold.</summary>
    public static List<FaceDetection> Apply(IEnumerable<FaceDetection> detections, float iouThreshold, int maxResults = int.MaxValue)
    {
        var sorted = detections.OrderByDescending(d => d.Score).ToList();
        var kept = new List<FaceDetection>();
        foreach (var candidate in sorted)
        {
            if (kept.Count >= maxResults) break;
            bool overlaps = false;
            foreach (var k in kept)
                if (k.Box.IntersectionOverUnion(candidate.Box) > iouThreshold) { overlaps = true; break; }
            if (!overlaps) kept.Add(candidate);
        }
        return kept;
    }
}

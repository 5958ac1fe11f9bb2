using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// Runs a detector on the whole image and on an N×N grid of overlapping tiles, then merges the results
/// with NMS. A fixed-size detector sees each tile at N times the scale, so faces N times smaller are found.
/// Tiles only add small faces: a tile detection larger than half the tile, or mostly inside a box already
/// kept, is a piece of a face the whole-image pass sees better, and is dropped.
/// </summary>
public sealed class TiledFaceDetector(IFaceDetector inner, int tiles, float overlap, float nmsThreshold) : IFaceDetector
{
    public string Name => $"{inner.Name} + {tiles}x{tiles} tiles";

    public IReadOnlyList<FaceDetection> Detect(Mat bgr) => Detect(bgr, withTiles: true);

    // Per-thread 2× area halving of the frame: made once and cut for the whole-image pass and every tile, which each
    // made their own before (a tile's halving is the matching part of the frame's, when the tile starts on even pixels).
    [ThreadStatic] private static Mat? _half;

    /// <summary>Detects on the whole image and, with <paramref name="withTiles"/>, on the tiles too (the worker tiles some frames only).</summary>
    public IReadOnlyList<FaceDetection> Detect(Mat bgr, bool withTiles)
    {
        if (!withTiles) return inner.Detect(bgr); // already suppressed by the detector
        Mat? half = null;
        if (bgr.Width % 2 == 0 && bgr.Height % 2 == 0 && bgr.Width > 0 && bgr.Height > 0)
        {
            // Only an exact 2× halving (even sizes) has each tile's halving as its part; odd frames keep per-tile halvings.
            half = _half ??= new Mat();
            Cv2.Resize(bgr, half, new Size(bgr.Width / 2, bgr.Height / 2), 0, 0, InterpolationFlags.Area);
        }
        var whole = inner.Detect(bgr, half);
        var fromTiles = new List<FaceDetection>();
        int tileW = (int)Math.Ceiling(bgr.Width / (tiles - (tiles - 1) * overlap));
        int tileH = (int)Math.Ceiling(bgr.Height / (tiles - (tiles - 1) * overlap));
        if (half is not null)
        {
            tileW = Math.Min(bgr.Width, (tileW + 1) & ~1); // even sizes too, so the halving of each tile is exact
            tileH = Math.Min(bgr.Height, (tileH + 1) & ~1);
        }
        int stepX = (int)(tileW * (1 - overlap)), stepY = (int)(tileH * (1 - overlap));
        for (int ty = 0; ty < tiles; ty++)
            for (int tx = 0; tx < tiles; tx++)
            {
                int x = Math.Min(tx * stepX, Math.Max(0, bgr.Width - tileW));
                int y = Math.Min(ty * stepY, Math.Max(0, bgr.Height - tileH));
                if (half is not null)
                {
                    x &= ~1; // tiles start on even pixels, where their part of the frame's halving is their own halving
                    y &= ~1;
                }
                var rect = new Rect(x, y, Math.Min(tileW, bgr.Width - x), Math.Min(tileH, bgr.Height - y));
                using var tile = new Mat(bgr, rect);
                using var tileHalf = half is not null && rect.Width >= 2 && rect.Height >= 2 ? new Mat(half, new Rect(x / 2, y / 2, rect.Width / 2, rect.Height / 2)) : null;
                foreach (var d in inner.Detect(tile, tileHalf))
                {
                    // Faces cut by a tile edge are left to the neighbouring tile or the full-image pass.
                    bool touchesInnerEdge = (d.Box.X <= 1 && x > 0) || (d.Box.Y <= 1 && y > 0)
                                            || (d.Box.Right >= rect.Width - 1 && rect.Right < bgr.Width)
                                            || (d.Box.Bottom >= rect.Height - 1 && rect.Bottom < bgr.Height);
                    bool large = Math.Max(d.Box.Width, d.Box.Height) > Math.Min(rect.Width, rect.Height) / 2f;
                    if (touchesInnerEdge || large) continue;
                    fromTiles.Add(Offset(d, x, y));
                }
            }
        var kept = new List<FaceDetection>(whole);
        foreach (var d in NonMaxSuppression.Apply(fromTiles, nmsThreshold))
            if (!kept.Any(k => IntersectionOverSmaller(k.Box, d.Box) > 0.4f)) kept.Add(d);
        return kept;
    }

    private static float IntersectionOverSmaller(BoxF a, BoxF b)
    {
        float w = Math.Min(a.Right, b.Right) - Math.Max(a.X, b.X);
        float h = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Y, b.Y);
        return w <= 0 || h <= 0 ? 0 : w * h / Math.Min(a.Area, b.Area);
    }

    private static FaceDetection Offset(FaceDetection d, float dx, float dy)
    {
        PointF Move(PointF p) => new(p.X + dx, p.Y + dy);
        PointF? MoveN(PointF? p) => p is { } v ? Move(v) : null;
        var lm = d.Landmarks is { } l ? new FaceLandmarks(Move(l.RightEye), Move(l.LeftEye), Move(l.Nose), MoveN(l.MouthRight), MoveN(l.MouthLeft), MoveN(l.MouthCenter)) : null;
        return d with { Box = d.Box with { X = d.Box.X + dx, Y = d.Box.Y + dy }, Landmarks = lm };
    }

    public void Dispose() => inner.Dispose();
}

using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// Runs a detector on the whole image and on an N×N grid of overlapping tiles, then merges the results
/// with NMS. A fixed-size detector sees each tile at N times the scale, so faces N times smaller are found.
/// </summary>
public sealed class TiledFaceDetector(IFaceDetector inner, int tiles, float overlap, float nmsThreshold) : IFaceDetector
{
    public string Name => $"{inner.Name} + {tiles}x{tiles} tiles";

    public IReadOnlyList<FaceDetection> Detect(Mat bgr)
    {
        var all = new List<FaceDetection>(inner.Detect(bgr));
        int tileW = (int)Math.Ceiling(bgr.Width / (tiles - (tiles - 1) * overlap));
        int tileH = (int)Math.Ceiling(bgr.Height / (tiles - (tiles - 1) * overlap));
        int stepX = (int)(tileW * (1 - overlap)), stepY = (int)(tileH * (1 - overlap));
        for (int ty = 0; ty < tiles; ty++)
            for (int tx = 0; tx < tiles; tx++)
            {
                int x = Math.Min(tx * stepX, Math.Max(0, bgr.Width - tileW));
                int y = Math.Min(ty * stepY, Math.Max(0, bgr.Height - tileH));
                var rect = new Rect(x, y, Math.Min(tileW, bgr.Width - x), Math.Min(tileH, bgr.Height - y));
                using var tile = new Mat(bgr, rect);
                foreach (var d in inner.Detect(tile))
                {
                    // Faces cut by a tile edge are left to the neighbouring tile or the full-image pass.
                    bool touchesInnerEdge = (d.Box.X <= 1 && x > 0) || (d.Box.Y <= 1 && y > 0)
                                            || (d.Box.Right >= rect.Width - 1 && rect.Right < bgr.Width)
                                            || (d.Box.Bottom >= rect.Height - 1 && rect.Bottom < bgr.Height);
                    if (touchesInnerEdge) continue;
                    all.Add(Offset(d, x, y));
                }
            }
        return NonMaxSuppression.Apply(all, nmsThreshold);
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

using FaceAge.Core.Imaging;
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

    public (int Width, int Height) InputSize => inner.InputSize;

    public IReadOnlyList<FaceDetection> Detect(Mat bgr) => Detect(new BgrImage(bgr), withTiles: true);

    public IReadOnlyList<FaceDetection> Detect(IFrameImage frame) => Detect(frame, withTiles: true);

    public IReadOnlyList<FaceDetection> Detect(DetectorImage image)
        => image.Full is { } full ? Detect(new BgrImage(full), withTiles: true)
            : throw new ArgumentException("Tiles are cut from the full-resolution image.", nameof(image));

    /// <summary>
    /// Detects on the whole frame and, with <paramref name="withTiles"/>, on the tiles too (the worker tiles some frames
    /// only). The frame is halved once and each pass gets its part of that halving (a tile's halving is the matching part of the
    /// frame's when the tile starts on even pixels); its full-resolution BGR is made only if a pass shrinks by less than 2.
    /// </summary>
    public IReadOnlyList<FaceDetection> Detect(IFrameImage frame, bool withTiles)
    {
        if (!withTiles) return inner.Detect(frame); // already suppressed by the detector
        int width = frame.Width, height = frame.Height;
        bool halve = DetectorImage.CanHalve(width, height);
        int tileW = (int)Math.Ceiling(width / (tiles - (tiles - 1) * overlap));
        int tileH = (int)Math.Ceiling(height / (tiles - (tiles - 1) * overlap));
        if (halve)
        {
            tileW = Math.Min(width, (tileW + 1) & ~1); // even sizes too, so the halving of each tile is exact
            tileH = Math.Min(height, (tileH + 1) & ~1);
        }
        var input = inner.InputSize;
        bool FromHalf(int w, int h) => halve && Letterbox.Fit(w, h, input.Width, input.Height).FromHalf;
        // Every tile has the same size (edge tiles are moved inwards, not cut), so one check covers them all.
        Mat? full = FromHalf(width, height) && FromHalf(Math.Min(tileW, width), Math.Min(tileH, height)) ? null : frame.Bgr;
        var half = halve ? DetectorImage.HalfOf(frame) : null;
        var whole = inner.Detect(new DetectorImage(width, height, full, half));
        var fromTiles = new List<FaceDetection>();
        int stepX = (int)(tileW * (1 - overlap)), stepY = (int)(tileH * (1 - overlap));
        for (int ty = 0; ty < tiles; ty++)
            for (int tx = 0; tx < tiles; tx++)
            {
                int x = Math.Min(tx * stepX, Math.Max(0, width - tileW));
                int y = Math.Min(ty * stepY, Math.Max(0, height - tileH));
                if (halve)
                {
                    x &= ~1; // tiles start on even pixels, where their part of the frame's halving is their own halving
                    y &= ~1;
                }
                var rect = new Rect(x, y, Math.Min(tileW, width - x), Math.Min(tileH, height - y));
                using var tile = full is not null ? new Mat(full, rect) : null;
                using var tileHalf = half is not null && rect.Width >= 2 && rect.Height >= 2
                    ? new Mat(half, new Rect(x / 2, y / 2, rect.Width / 2, rect.Height / 2)) : null;
                foreach (var d in inner.DetectInTile(new DetectorImage(rect.Width, rect.Height, tile, tileHalf)))
                {
                    // Faces cut by a tile edge are left to the neighbouring tile or the full-image pass.
                    bool touchesInnerEdge = (d.Box.X <= 1 && x > 0) || (d.Box.Y <= 1 && y > 0)
                                            || (d.Box.Right >= rect.Width - 1 && rect.Right < width)
                                            || (d.Box.Bottom >= rect.Height - 1 && rect.Bottom < height);
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
        var lm = d.Landmarks is { } l ? new FaceLandmarks(Move(l.RightEye), Move(l.LeftEye), Move(l.Nose), MoveN(l.MouthRight), MoveN(l.MouthLeft),
            MoveN(l.MouthCenter)) : null;
        return d with { Box = d.Box with { X = d.Box.X + dx, Y = d.Box.Y + dy }, Landmarks = lm };
    }

    public void Dispose() => inner.Dispose();
}

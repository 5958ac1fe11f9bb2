namespace FaceAge.Core.Detection;

/// <summary>An axis-aligned box in image pixels.</summary>
public readonly record struct BoxF(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;
    public float Bottom => Y + Height;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);
    public float CenterX => X + Width / 2;
    public float CenterY => Y + Height / 2;

    public static BoxF FromCorners(float x1, float y1, float x2, float y2) => new(x1, y1, x2 - x1, y2 - y1);

    public float IntersectionOverUnion(BoxF other)
    {
        float w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        float h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (w <= 0 || h <= 0) return 0;
        float inter = w * h;
        return inter / (Area + other.Area - inter);
    }

    public BoxF Clip(int width, int height)
    {
        float x1 = Math.Clamp(X, 0, width), y1 = Math.Clamp(Y, 0, height);
        float x2 = Math.Clamp(Right, 0, width), y2 = Math.Clamp(Bottom, 0, height);
        return FromCorners(x1, y1, x2, y2);
    }
}

public readonly record struct PointF(float X, float Y);

/// <summary>
/// Facial landmarks, when the detector gives them. Eyes are the subject's: the right eye appears on the
/// left of an unmirrored image.
/// </summary>
public sealed record FaceLandmarks(PointF RightEye, PointF LeftEye, PointF Nose, PointF? MouthRight = null, PointF? MouthLeft = null,
    PointF? MouthCenter = null);

/// <summary>One detected face: box in image pixels, detector confidence and optional landmarks.</summary>
public sealed record FaceDetection(BoxF Box, float Score, FaceLandmarks? Landmarks = null);

using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Alignment;

/// <summary>
/// Landmarks from a landmark-giving detector (BlazeFace) run again on the region around each face: the eyes, nose tip
/// and mouth centre of the detection that overlaps the face most. A face it does not find keeps its box only.
/// </summary>
public sealed class BlazeFaceLandmarker(IFaceDetector landmarkDetector) : IFaceLandmarker
{
    public const string Name = "blazeface";

    string IFaceLandmarker.Name => Name;

    public IReadOnlyList<FaceDetection> WithLandmarks(Mat bgr, IReadOnlyList<FaceDetection> faces) => faces.Select(f => WithLandmarks(bgr, f)).ToList();

    private FaceDetection WithLandmarks(Mat bgr, FaceDetection face)
    {
        if (face.Landmarks is not null) return face;
        var box = face.Box;
        float side = 2 * Math.Max(box.Width, box.Height);
        var region = new Rect((int)(box.CenterX - side / 2), (int)(box.CenterY - side / 2), (int)side, (int)side) & new Rect(0, 0, bgr.Width, bgr.Height);
        if (region.Width < 8 || region.Height < 8) return face;
        using var view = new Mat(bgr, region);
        var match = landmarkDetector.Detect(view)
            .Select(d => d with { Box = new BoxF(d.Box.X + region.X, d.Box.Y + region.Y, d.Box.Width, d.Box.Height) })
            .Where(d => d.Landmarks is not null && d.Box.IntersectionOverUnion(box) >= 0.3f)
            .MaxBy(d => d.Box.IntersectionOverUnion(box));
        if (match?.Landmarks is not { } lm) return face;
        PointF Move(PointF p) => new(p.X + region.X, p.Y + region.Y);
        PointF? MoveOpt(PointF? p) => p is { } q ? Move(q) : null;
        var landmarks = new FaceLandmarks(Move(lm.RightEye), Move(lm.LeftEye), Move(lm.Nose), MoveOpt(lm.MouthRight), MoveOpt(lm.MouthLeft),
            MoveOpt(lm.MouthCenter));
        return face with { Landmarks = landmarks };
    }

    public void Dispose() => landmarkDetector.Dispose();
}

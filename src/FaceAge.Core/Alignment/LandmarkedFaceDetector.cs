using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;

namespace FaceAge.Core.Alignment;

/// <summary>
/// A detector whose faces come with landmarks from <paramref name="landmarker"/> (for detectors that give none), so the
/// age/gender crops are turned upright by the eye line (Analysis:Landmarks). Given only an image's halving, the landmarks
/// are found there and scaled back.
/// </summary>
public sealed class LandmarkedFaceDetector(IFaceDetector detector, IFaceLandmarker landmarker) : IFaceDetector
{
    public string Name { get; } = $"{detector.Name} + {landmarker.Name}";

    public (int Width, int Height) InputSize => detector.InputSize;

    public IReadOnlyList<FaceDetection> Detect(DetectorImage image) => WithLandmarks(image, detector.Detect(image));

    public IReadOnlyList<FaceDetection> DetectInTile(DetectorImage tile) => WithLandmarks(tile, detector.DetectInTile(tile));

    public IReadOnlyList<FaceDetection> Detect(IFrameImage frame) => WithLandmarks(DetectorImage.For(frame, InputSize), detector.Detect(frame));

    private IReadOnlyList<FaceDetection> WithLandmarks(DetectorImage image, IReadOnlyList<FaceDetection> faces)
    {
        if (faces.Count == 0) return faces;
        if (image.Full is { } full) return landmarker.WithLandmarks(full, faces);
        if (image.Half is not { } half) return faces;
        var halved = faces.Select(f => f with { Box = new BoxF(f.Box.X / 2, f.Box.Y / 2, f.Box.Width / 2, f.Box.Height / 2) }).ToList();
        return landmarker.WithLandmarks(half, halved).Select((f, i) => faces[i] with { Landmarks = Doubled(f.Landmarks) }).ToList();
    }

    private static FaceLandmarks? Doubled(FaceLandmarks? lm)
    {
        if (lm is null) return null;
        static PointF D(PointF p) => new(p.X * 2, p.Y * 2);
        static PointF? O(PointF? p) => p is { } q ? D(q) : null;
        return new FaceLandmarks(D(lm.RightEye), D(lm.LeftEye), D(lm.Nose), O(lm.MouthRight), O(lm.MouthLeft), O(lm.MouthCenter));
    }

    public void Dispose()
    {
        detector.Dispose();
        landmarker.Dispose();
    }
}

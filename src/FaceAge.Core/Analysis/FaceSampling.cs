using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Analysis;

/// <summary>A detected face cut out for the age/gender model, with what its estimate is worth.</summary>
/// <param name="Crop">The estimator's input (<see cref="FaceCropper.Side"/>² BGR); the owner disposes it.</param>
/// <param name="FaceSize">Longer side of the detection box, in pixels.</param>
/// <param name="Quality">Size × sharpness score (<see cref="FaceQuality"/>) times frontalness, in [0, 1].</param>
public sealed record FaceCrop(FaceDetection Detection, Mat Crop, int FaceSize, double Sharpness, double Quality) : IDisposable
{
    public void Dispose() => Crop.Dispose();
}

/// <summary>
/// Cuts faces out of frames and scores them, the same way for the CLI (every face) and the worker (the best crop
/// of each track): crop with margin, aligned by the eyes when landmarks exist; quality from face size, sharpness
/// and how frontal the face is.
/// </summary>
public sealed class FaceSampling(AnalyzerOptions options)
{
    private readonly FaceCropper _cropper = new(options.CropMargin, options.AlignByLandmarks);

    /// <summary>How the crops are cut (where a face lies in its crop).</summary>
    public FaceCropper Cropper => _cropper;

    public FaceCrop Cut(Mat bgr, FaceDetection detection) => Cut(new BgrImage(bgr), detection);

    /// <summary>Cuts from a frame, converting only the part around the face (see <see cref="FaceCropper.Crop(IFrameImage, FaceDetection, int)"/>).</summary>
    public FaceCrop Cut(IFrameImage frame, FaceDetection detection)
    {
        var crop = _cropper.Crop(frame, detection, FaceCropper.Side);
        int size = (int)Math.Round(Math.Max(detection.Box.Width, detection.Box.Height));
        double sharpness = Sharpness.LaplacianVariance(crop);
        double quality = FaceQuality.Score(size, sharpness, options.GoodFaceSize) * Frontalness(detection);
        return new FaceCrop(detection, crop, size, sharpness, quality);
    }

    /// <summary>1 for a frontal face; lower when the nose is far from the eyes' midpoint (a turned head). 1 without landmarks.</summary>
    public static double Frontalness(FaceDetection d)
    {
        if (d.Landmarks is not { } lm) return 1;
        double eyeDistance = Math.Abs(lm.LeftEye.X - lm.RightEye.X);
        if (eyeDistance < 1) return 0.3;
        double offset = Math.Abs(lm.Nose.X - (lm.LeftEye.X + lm.RightEye.X) / 2) / eyeDistance;
        return Math.Clamp(1 - offset, 0.3, 1);
    }
}

using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Verification;

/// <summary>
/// A face-recognition network with a 112×112 NHWC RGB input (0–255), fed a face warped onto the usual 112-pixel
/// recognition template (eyes, nose tip and mouth centre at fixed places) when the detector gives those landmarks
/// (BlazeFace does), else the detection box squared. Used for mobileface and mobilefacenet from human-models.
/// </summary>
public sealed class AlignedFaceEmbedder(string name, ModelSession session) : IFaceEmbedder
{
    public const int Size = 112;
    private static readonly Point2f[] Template =
        [new(38.29f, 51.70f), new(73.53f, 51.50f), new(56.03f, 71.74f), new(56.14f, 92.28f)];
    private readonly string _input = session.InputMetadata.Keys.First();

    public string Name { get; } = name;

    public IReadOnlyList<float[]> Embed(Mat bgr, IReadOnlyList<FaceDetection> faces)
    {
        if (faces.Count == 0) return [];
        var tensor = new DenseTensor<float>([faces.Count, Size, Size, 3]);
        var buffer = tensor.Buffer.Span;
        for (int i = 0; i < faces.Count; i++)
        {
            using var crop = Align(bgr, faces[i]);
            var bytes = new byte[Size * Size * 3];
            System.Runtime.InteropServices.Marshal.Copy(crop.Data, bytes, 0, bytes.Length);
            int offset = i * Size * Size * 3;
            for (int p = 0; p < Size * Size; p++)
            {
                // BGR → RGB
                buffer[offset + p * 3] = bytes[p * 3 + 2];
                buffer[offset + p * 3 + 1] = bytes[p * 3 + 1];
                buffer[offset + p * 3 + 2] = bytes[p * 3];
            }
        }
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        var output = results[0].AsTensor<float>();
        int dim = output.Dimensions[1];
        var values = output.ToArray();
        return Enumerable.Range(0, faces.Count).Select(i => values.AsSpan(i * dim, dim).ToArray()).ToList();
    }

    /// <summary>The face on the 112-pixel template (similarity transform from four landmarks), or the box squared without them.</summary>
    public static Mat Align(Mat bgr, FaceDetection face)
    {
        var crop = new Mat();
        if (face.Landmarks is { } lm && (lm.MouthCenter ?? Midpoint(lm.MouthLeft, lm.MouthRight)) is { } mouth)
        {
            Point2f[] source = [new(lm.RightEye.X, lm.RightEye.Y), new(lm.LeftEye.X, lm.LeftEye.Y), new(lm.Nose.X, lm.Nose.Y), new(mouth.X, mouth.Y)];
            using var transform = Cv2.EstimateAffinePartial2D(InputArray.Create(source), InputArray.Create(Template));
            if (transform is not null && !transform.Empty())
            {
                Cv2.WarpAffine(bgr, crop, transform, new OpenCvSharp.Size(Size, Size), InterpolationFlags.Linear, BorderTypes.Replicate);
                return crop;
            }
        }
        var box = face.Box;
        float side = Math.Max(box.Width, box.Height);
        using var m = new Mat(2, 3, MatType.CV_64FC1);
        double scale = Size / side;
        m.Set(0, 0, scale); m.Set(0, 1, 0.0); m.Set(0, 2, -(box.CenterX - side / 2) * scale);
        m.Set(1, 0, 0.0); m.Set(1, 1, scale); m.Set(1, 2, -(box.CenterY - side / 2) * scale);
        Cv2.WarpAffine(bgr, crop, m, new OpenCvSharp.Size(Size, Size), InterpolationFlags.Linear, BorderTypes.Replicate);
        return crop;
    }

    private static PointF? Midpoint(PointF? a, PointF? b) => a is { } p && b is { } q ? new PointF((p.X + q.X) / 2, (p.Y + q.Y) / 2) : null;

    public void Dispose() => session.Dispose();
}

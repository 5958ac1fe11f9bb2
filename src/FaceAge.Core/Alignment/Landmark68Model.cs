using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Alignment;

/// <summary>
/// The 68-point landmark network of npm faceplugin-face-recognition-js (fr_landmark.onnx, adapted to batches by set-up):
/// the detection box stretched to a 64×64 grey image, pixel / 256, in; 68 points (iBUG order) out as fractions of the
/// box's width and height. <see cref="FivePoints"/> reduces them to the points alignment uses. One run per batch of faces.
/// </summary>
public sealed class Landmark68Model(ModelSession session) : IFaceLandmarker
{
    public const string Name = "fr-landmark68";
    public const string File = "fr-landmark68.onnx";
    public const int Size = 64;
    public const int Points = 68;
    private readonly string _input = session.InputMetadata.Keys.First();
    private readonly Mat _crop = new(), _grey = new();

    string IFaceLandmarker.Name => Name;

    public IReadOnlyList<FaceDetection> WithLandmarks(Mat bgr, IReadOnlyList<FaceDetection> faces)
    {
        var points = Locate(bgr, faces.Select(f => f.Box).ToList());
        return faces.Select((f, i) => f.Landmarks is null ? f with { Landmarks = FivePoints(points[i]) } : f).ToList();
    }

    /// <summary>68 points (x, y in image pixels, interleaved) per box.</summary>
    public IReadOnlyList<float[]> Locate(Mat bgr, IReadOnlyList<BoxF> boxes) => Locate(boxes.Select(b => (bgr, b)).ToList());

    /// <summary>68 points (x, y in pixels of its image, interleaved) per face, the faces of several images in one run.</summary>
    public IReadOnlyList<float[]> Locate(IReadOnlyList<(Mat Image, BoxF Box)> faces)
    {
        if (faces.Count == 0) return [];
        var boxes = faces.Select(f => f.Box).ToList();
        var tensor = new DenseTensor<float>([boxes.Count, 1, Size, Size]);
        var buffer = tensor.Buffer.Span;
        for (int i = 0; i < boxes.Count; i++)
        {
            var (bgr, box) = faces[i];
            float w = Math.Max(1, box.Width), h = Math.Max(1, box.Height);
            // The box, stretched to 64×64 as the network was fed; outside the image the edge pixels repeat.
            using var transform = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { Size / w, 0, -box.X * Size / w, 0, Size / h, -box.Y * Size / h });
            Cv2.WarpAffine(bgr, _crop, transform, new OpenCvSharp.Size(Size, Size), InterpolationFlags.Linear, BorderTypes.Replicate);
            Cv2.CvtColor(_crop, _grey, ColorConversionCodes.BGR2GRAY);
            WriteScaled(_grey, buffer.Slice(i * Size * Size, Size * Size));
        }
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        var output = results[0].AsTensor<float>().ToArray();
        if (output.Length != boxes.Count * Points * 2)
            throw new InvalidDataException($"{File}: {output.Length} values for {boxes.Count} faces; expected {Points * 2} per face.");
        return boxes.Select((box, i) =>
        {
            var points = new float[Points * 2];
            for (int p = 0; p < Points; p++)
            {
                points[2 * p] = box.X + output[i * Points * 2 + 2 * p] * box.Width;
                points[2 * p + 1] = box.Y + output[i * Points * 2 + 2 * p + 1] * box.Height;
            }
            return points;
        }).ToList();
    }

    private static unsafe void WriteScaled(Mat grey, Span<float> plane)
    {
        fixed (float* destination = plane)
        {
            using var target = Mat.FromPixelData(Size, Size, MatType.CV_32FC1, (IntPtr)destination);
            grey.ConvertTo(target, MatType.CV_32F, 1 / 256.0);
        }
    }

    /// <summary>
    /// The five alignment points of 68 iBUG points: each eye's centre (the mean of its two upper and two lower lid points:
    /// 37, 38, 40, 41 and 43, 44, 46, 47, 0-based), the nose tip (30) and each mouth corner (the mean of the outer and inner
    /// corner: 48 and 60, 54 and 64). The image-left eye is the subject's right.
    /// </summary>
    public static FaceLandmarks FivePoints(ReadOnlySpan<float> points)
    {
        if (points.Length != Points * 2) throw new ArgumentException($"{Points} points expected.", nameof(points));
        return new FaceLandmarks(Mean(points, 37, 38, 40, 41), Mean(points, 43, 44, 46, 47), Mean(points, 30), Mean(points, 48, 60),
            Mean(points, 54, 64));
    }

    private static PointF Mean(ReadOnlySpan<float> xy, params ReadOnlySpan<int> indices)
    {
        float x = 0, y = 0;
        foreach (int i in indices)
        {
            x += xy[2 * i];
            y += xy[2 * i + 1];
        }
        return new PointF(x / indices.Length, y / indices.Length);
    }

    public void Dispose()
    {
        session.Dispose();
        _crop.Dispose();
        _grey.Dispose();
    }
}

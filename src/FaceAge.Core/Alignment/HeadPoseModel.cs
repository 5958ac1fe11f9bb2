using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Alignment;

/// <summary>
/// The head-pose network of npm faceplugin-face-recognition-js (fr_pose.onnx, copied by set-up as fr-pose.onnx): the
/// detection box widened by a quarter of its size on each side (cut to the image), stretched to 224×224, RGB normalised
/// with ImageNet's per-channel means and deviations; yaw, pitch and roll each as 66 bins of 3°, the angle being
/// 3 × (softmax-weighted bin index) − 99. One face per run. Its yaw is positive towards the subject's right (the image's
/// left), the opposite of <see cref="HeadPose"/>, so it is turned round here.
/// </summary>
public sealed class HeadPoseModel(ModelSession session) : IDisposable
{
    public const string Name = "fr-pose";
    public const string File = "fr-pose.onnx";
    public const int Size = 224;
    private const int Bins = 66;
    // ImageNet's means and deviations (of 0–1 pixels) in 0–255 pixels: (p / 255 − m) / d = (p − 255 m) / (255 d).
    private static readonly PixelNormalization Pixels = new(Rgb: true, [123.675f, 116.28f, 103.53f], 1, TensorLayout.Nchw,
        ChannelScales: [1 / 58.395f, 1 / 57.12f, 1 / 57.375f]);
    private readonly string _input = session.InputMetadata.Keys.First();
    private readonly Mat _resized = new();
    private readonly DenseTensor<float> _tensor = new([1, 3, Size, Size]);

    public HeadPose Estimate(Mat bgr, BoxF box)
    {
        float padX = box.Width / 4, padY = box.Height / 4;
        int x0 = Math.Max(0, (int)(box.X - padX)), y0 = Math.Max(0, (int)(box.Y - padY));
        int x1 = Math.Min(bgr.Width, (int)(box.Right + padX)), y1 = Math.Min(bgr.Height, (int)(box.Bottom + padY));
        if (x1 - x0 < 2 || y1 - y0 < 2) throw new ArgumentException($"box {box} lies outside the {bgr.Width}×{bgr.Height} image.", nameof(box));
        using (var region = new Mat(bgr, new Rect(x0, y0, x1 - x0, y1 - y0))) Cv2.Resize(region, _resized, new OpenCvSharp.Size(Size, Size));
        Pixels.Write(_resized, _tensor.Buffer.Span);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(_input, _tensor)]);
        double Angle(string output)
        {
            var logits = results.First(r => r.Name == output).AsTensor<float>().ToArray();
            if (logits.Length != Bins) throw new InvalidDataException($"{File}: output {output} has {logits.Length} values; expected {Bins}.");
            double max = logits.Max(), sum = 0, weighted = 0;
            for (int b = 0; b < Bins; b++)
            {
                double e = Math.Exp(logits[b] - max);
                sum += e;
                weighted += e * b;
            }
            return 3 * weighted / sum - 99;
        }
        return new HeadPose(-Angle("yaw"), Angle("pitch"), Angle("roll"));
    }

    public void Dispose()
    {
        session.Dispose();
        _resized.Dispose();
    }
}

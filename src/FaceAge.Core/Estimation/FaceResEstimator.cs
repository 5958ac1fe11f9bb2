using System.Buffers;
using FaceAge.Core.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Estimation;

/// <summary>
/// faceres-deep (HSE multi-output MobileNet, converted from TF.js). Input NHWC 224×224 BGR minus the
/// ImageNet means (103.939, 116.779, 123.68); outputs 100 age bins (bin i = age i + 1), P(male) and a
/// 1024-d descriptor. A batch of crops runs in one session call. Thread-safe.
/// </summary>
public sealed class FaceResEstimator : IDisposable
{
    public const int InputSize = 224;
    public const string AgeOutput = "age_pred/Softmax:0", GenderOutput = "gender_pred/Sigmoid:0", DescriptorOutput = "global_pooling/Mean:0";
    private static readonly PixelNormalization Pixels = new(Rgb: false, [103.939f, 116.779f, 123.68f], 1f, TensorLayout.Nhwc);
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly GenderCalibration? _calibration;

    /// <param name="flipAugmentation">Also run each crop mirrored and average the two outputs (2× compute, lower error).</param>
    /// <param name="calibration">Gender decision calibration applied to P(male); null = the model's own 0.5.</param>
    public FaceResEstimator(InferenceSession session, bool flipAugmentation = false, GenderCalibration? calibration = null)
    {
        FlipAugmentation = flipAugmentation;
        _calibration = calibration;
        _session = session;
        _inputName = session.InputMetadata.Keys.Single();
        foreach (var output in new[] { AgeOutput, GenderOutput, DescriptorOutput })
            if (!session.OutputMetadata.ContainsKey(output))
                throw new InvalidDataException($"faceres-deep model lacks output '{output}'.");
    }

    public bool FlipAugmentation { get; }

    /// <summary>Estimates every crop (each <see cref="InputSize"/>² BGR) in one batched run.</summary>
    public IReadOnlyList<FaceAttributes> Estimate(IReadOnlyList<Mat> crops)
    {
        if (crops.Count == 0) return [];
        int per = InputSize * InputSize * 3;
        int views = FlipAugmentation ? 2 : 1, batch = crops.Count * views;
        var buffer = ArrayPool<float>.Shared.Rent(per * batch);
        try
        {
            using var mirrored = new Mat();
            for (int i = 0; i < crops.Count; i++)
            {
                var crop = crops[i];
                if (crop.Width != InputSize || crop.Height != InputSize)
                    throw new ArgumentException($"Crop {i} is {crop.Width}x{crop.Height}, expected {InputSize}x{InputSize}.");
                Pixels.Write(crop, buffer.AsSpan(i * per, per));
                if (FlipAugmentation)
                {
                    Cv2.Flip(crop, mirrored, FlipMode.Y);
                    Pixels.Write(mirrored, buffer.AsSpan((crops.Count + i) * per, per));
                }
            }
            var memory = new Memory<float>(buffer, 0, per * batch);
            var tensor = new DenseTensor<float>(memory, [batch, InputSize, InputSize, 3]);
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)], [AgeOutput, GenderOutput, DescriptorOutput]);
            var age = results.First(r => r.Name == AgeOutput).AsTensor<float>();
            var gender = results.First(r => r.Name == GenderOutput).AsTensor<float>();
            var descriptor = results.First(r => r.Name == DescriptorOutput).AsTensor<float>();
            int bins = age.Dimensions[1], dim = descriptor.Dimensions[1];
            var list = new List<FaceAttributes>(crops.Count);
            for (int i = 0; i < crops.Count; i++)
            {
                // Mirrored view j = crops.Count + i; outputs are averaged over the views.
                var p = new float[bins];
                var d = new float[dim];
                float male = 0;
                for (int v = 0; v < views; v++)
                {
                    int row = v * crops.Count + i;
                    for (int k = 0; k < bins; k++) p[k] += age[row, k] / views;
                    for (int k = 0; k < dim; k++) d[k] += descriptor[row, k] / views;
                    male += gender[row, 0] / views;
                }
                list.Add(new FaceAttributes(new AgeDistribution(p, firstAge: 1), _calibration?.Apply(male) ?? male, d));
            }
            return list;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _session.Dispose();
}

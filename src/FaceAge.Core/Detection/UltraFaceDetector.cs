using FaceAge.Core.Inference;
using FaceAge.Core.Imaging;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// UltraFace (version-RFB-320/640). Input NCHW RGB (x − 127) / 128; outputs "scores" [1, N, 2]
/// (background, face, already softmaxed) and "boxes" [1, N, 4] as normalized corners.
/// </summary>
public sealed class UltraFaceDetector : IFaceDetector
{
    public static readonly DetectorDefinition Definition = new("UltraFace", "ultraface-rfb-320.onnx",
        "UltraFace RFB-320 (npm faceplugin-face-recognition-js), no landmarks; the default", (session, options) => new UltraFaceDetector(session, options));

    private static readonly PixelNormalization Pixels = new(Rgb: true, [127f, 127f, 127f], 1f / 128f, TensorLayout.Nchw);
    private readonly ModelSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly int _width, _height;
    private readonly NetworkInput _input;

    public UltraFaceDetector(ModelSession session, DetectorOptions options)
    {
        _session = session;
        _options = options;
        var input = session.InputMetadata.Single();
        _inputName = input.Key;
        (_width, _height) = NetworkInput.NchwSize(input.Value.Dimensions, options, 320, 240);
        _input = new NetworkInput(_width, _height, Pixels);
        if (!session.OutputMetadata.ContainsKey("scores") || !session.OutputMetadata.ContainsKey("boxes"))
            throw new InvalidDataException("UltraFace model must have outputs 'scores' and 'boxes'.");
    }

    public string Name => $"UltraFace {_width}x{_height}";

    public (int Width, int Height) InputSize => (_width, _height);

    public IReadOnlyList<FaceDetection> Detect(DetectorImage image)
    {
        var (box, tensor) = _input.Prepare(image);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
        var scoreTensor = results.First(r => r.Name == "scores").AsTensor<float>();
        int n = scoreTensor.Dimensions[1];
        var scores = Flat(scoreTensor);
        var boxes = Flat(results.First(r => r.Name == "boxes").AsTensor<float>());
        var found = new List<FaceDetection>();
        for (int i = 0; i < n; i++)
        {
            float score = scores[2 * i + 1];
            if (score < _options.ScoreThreshold) continue;
            var b = BoxF.FromCorners(
                box.ToImage(boxes[4 * i] * _width), box.ToImage(boxes[4 * i + 1] * _height),
                box.ToImage(boxes[4 * i + 2] * _width), box.ToImage(boxes[4 * i + 3] * _height)).Clip(image.Width, image.Height);
            if (Math.Min(b.Width, b.Height) < _options.MinFaceSize) continue;
            found.Add(new FaceDetection(b, score));
        }
        return NonMaxSuppression.Apply(found, _options.NmsThreshold);
    }

    /// <summary>The output's values in order, without the per-element indexer (4,420 anchors a run).</summary>
    internal static ReadOnlySpan<float> Flat(Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> t)
        => t is Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float> dense ? dense.Buffer.Span : t.ToArray();

    public void Dispose()
    {
        _session.Dispose();
        _input.Dispose();
    }
}

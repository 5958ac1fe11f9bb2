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
    private readonly InferenceSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly int _width, _height;

    public UltraFaceDetector(InferenceSession session, DetectorOptions options)
    {
        _session = session;
        _options = options;
        var input = session.InputMetadata.Single();
        _inputName = input.Key;
        (_width, _height) = NetworkInput.NchwSize(input.Value.Dimensions, options, 320, 240);
        if (!session.OutputMetadata.ContainsKey("scores") || !session.OutputMetadata.ContainsKey("boxes"))
            throw new InvalidDataException("UltraFace model must have outputs 'scores' and 'boxes'.");
    }

    public string Name => $"UltraFace {_width}x{_height}";

    public IReadOnlyList<FaceDetection> Detect(Mat bgr)
    {
        var (box, tensor) = NetworkInput.Prepare(bgr, _width, _height, Pixels);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
        var scores = results.First(r => r.Name == "scores").AsTensor<float>();
        var boxes = results.First(r => r.Name == "boxes").AsTensor<float>();
        int n = scores.Dimensions[1];
        var found = new List<FaceDetection>();
        for (int i = 0; i < n; i++)
        {
            float score = scores[0, i, 1];
            if (score < _options.ScoreThreshold) continue;
            var b = BoxF.FromCorners(
                box.ToImage(boxes[0, i, 0] * _width), box.ToImage(boxes[0, i, 1] * _height),
                box.ToImage(boxes[0, i, 2] * _width), box.ToImage(boxes[0, i, 3] * _height)).Clip(bgr.Width, bgr.Height);
            if (Math.Min(b.Width, b.Height) < _options.MinFaceSize) continue;
            found.Add(new FaceDetection(b, score));
        }
        return NonMaxSuppression.Apply(found, _options.NmsThreshold);
    }

    public void Dispose() => _session.Dispose();
}

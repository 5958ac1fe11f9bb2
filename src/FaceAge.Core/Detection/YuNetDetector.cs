using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Core.Detection;

/// <summary>
/// YuNet (libfacedetection; user-supplied ONNX). Input NCHW BGR 0–255; for strides 8/16/32 the outputs
/// cls_s, obj_s (probabilities), bbox_s (cell offsets and log sizes in strides) and kps_s (5 landmarks:
/// right eye, left eye, nose, right and left mouth corners).
/// </summary>
public sealed class YuNetDetector : IFaceDetector
{
    public static readonly DetectorDefinition Definition = new("YuNet", "yunet.onnx",
        "YuNet (libfacedetection), 5 landmarks; a file you bring (Detector:ModelPath)", (session, options) => new YuNetDetector(session, options), Validate);

    private static IEnumerable<string> Validate(DetectorOptions options, string prefix)
    {
        if (options.InputWidth % 32 != 0 || options.InputHeight % 32 != 0)
            yield return $"{prefix}:InputWidth/InputHeight must be multiples of 32 for YuNet, got {options.InputWidth}x{options.InputHeight}.";
    }

    private static readonly PixelNormalization Pixels = new(Rgb: false, [0f, 0f, 0f], 1f, TensorLayout.Nchw);
    private static readonly int[] Strides = [8, 16, 32];
    private readonly ModelSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly int _width, _height;
    private readonly NetworkInput _input;

    public YuNetDetector(ModelSession session, DetectorOptions options)
    {
        _session = session;
        _options = options;
        var input = session.InputMetadata.Single();
        _inputName = input.Key;
        (_width, _height) = NetworkInput.NchwSize(input.Value.Dimensions, options, 640, 640);
        _input = new NetworkInput(_width, _height, Pixels);
        foreach (var s in Strides)
            foreach (var kind in new[] { "cls", "obj", "bbox", "kps" })
                if (!session.OutputMetadata.ContainsKey($"{kind}_{s}"))
                    throw new InvalidDataException($"YuNet model lacks output '{kind}_{s}'.");
    }

    public string Name => $"YuNet {_width}x{_height}";

    public (int Width, int Height) InputSize => (_width, _height);

    public IReadOnlyList<FaceDetection> Detect(DetectorImage image)
    {
        var (box, tensor) = _input.Prepare(image);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
        var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>());
        var found = new List<FaceDetection>();
        foreach (var stride in Strides)
        {
            var cls = byName[$"cls_{stride}"];
            var obj = byName[$"obj_{stride}"];
            var bbox = byName[$"bbox_{stride}"];
            var kps = byName[$"kps_{stride}"];
            int cols = _width / stride, n = cls.Dimensions[1];
            for (int i = 0; i < n; i++)
            {
                float score = MathF.Sqrt(Math.Clamp(cls[0, i, 0], 0f, 1f) * Math.Clamp(obj[0, i, 0], 0f, 1f));
                if (score < _options.ScoreThreshold) continue;
                int row = i / cols, col = i % cols;
                float cx = (col + bbox[0, i, 0]) * stride, cy = (row + bbox[0, i, 1]) * stride;
                float w = MathF.Exp(bbox[0, i, 2]) * stride, h = MathF.Exp(bbox[0, i, 3]) * stride;
                var b = BoxF.FromCorners(box.ToImage(cx - w / 2), box.ToImage(cy - h / 2), box.ToImage(cx + w / 2), box.ToImage(cy + h / 2)).Clip(image.Width,
                    image.Height);
                if (Math.Min(b.Width, b.Height) < _options.MinFaceSize) continue;
                PointF Keypoint(int k) => new(box.ToImage((kps[0, i, 2 * k] + col) * stride), box.ToImage((kps[0, i, 2 * k + 1] + row) * stride));
                found.Add(new FaceDetection(b, score, new FaceLandmarks(Keypoint(0), Keypoint(1), Keypoint(2), Keypoint(3), Keypoint(4))));
            }
        }
        return NonMaxSuppression.Apply(found, _options.NmsThreshold);
    }

    public void Dispose()
    {
        _session.Dispose();
        _input.Dispose();
    }
}

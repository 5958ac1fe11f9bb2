using System.Collections.Concurrent;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// UltraFace (version-RFB-320), as adapted at set-up (models/manifest.json): input NCHW RGB (x − 127) / 128 of any size,
/// outputs "scores" [1, N, 2] (background, face; softmaxed) and "locations" [1, N, 4], the raw box regressions, decoded
/// here against the anchors of the input size (<see cref="UltraFacePriors"/>). Each image gets an input that fits its
/// aspect at the scale the 320×240 letterbox would give it: a 16:9 frame runs at 320×192 instead of 320×240 with a
/// quarter of black padding (the same faces for a quarter less work). UltraFace files as published (a fixed input
/// size, "boxes" [1, N, 4] already decoded as normalized corners, e.g. a user's RFB-640) run at their size.
/// </summary>
public sealed class UltraFaceDetector : IFaceDetector
{
    public static readonly DetectorDefinition Definition = new("UltraFace", "ultraface-rfb-320-int8.onnx",
        "UltraFace RFB-320 (npm faceplugin-face-recognition-js) in int8 (ultraface-rfb-320.onnx: float), no landmarks; the default", (session, options)
            => new UltraFaceDetector(session, options));

    // RFB-320's training input: the largest input an adapted file is given, unless Detector:InputWidth/InputHeight say otherwise.
    private const int TrainedWidth = 320, TrainedHeight = 240;
    private static readonly PixelNormalization Pixels = new(Rgb: true, [127f, 127f, 127f], 1f / 128f, TensorLayout.Nchw);
    private readonly ModelSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly int _width, _height;
    private readonly bool _fitsImage, _decodes, _int8;
    private readonly NetworkInput _input;
    private readonly ConcurrentDictionary<(int, int), UltraFacePriors> _priors = new();

    public UltraFaceDetector(ModelSession session, DetectorOptions options)
    {
        _session = session;
        _options = options;
        var input = session.InputMetadata.Single();
        _inputName = input.Key;
        var dims = input.Value.Dimensions;
        (_width, _height) = NetworkInput.NchwSize(dims, options, TrainedWidth, TrainedHeight);
        _input = new NetworkInput(_width, _height, Pixels);
        var outputs = session.OutputMetadata;
        _decodes = outputs.ContainsKey("locations");
        if (!outputs.ContainsKey("scores") || !(_decodes || outputs.ContainsKey("boxes")))
            throw new InvalidDataException($"An UltraFace model must have outputs 'scores' and 'locations' (raw) or 'boxes' (decoded); this one has "
                + $"{string.Join(", ", outputs.Keys)}.");
        // Anchors baked into a decoded model hold for its one input size only.
        _fitsImage = _decodes && dims[2] <= 0 && dims[3] <= 0;
        _int8 = session.ModelMetadata.CustomMetadataMap.ContainsKey("faceage.quantization");
    }

    public string Name => (_int8 ? "UltraFace int8" : "UltraFace") + (_fitsImage ? $" up to {_width}x{_height}" : $" {_width}x{_height}");

    /// <summary>The largest input: an image is shrunk as it would be to fit this size.</summary>
    public (int Width, int Height) InputSize => (_width, _height);

    /// <summary>
    /// The network input for an image: the letterbox into the largest input, cut down to the image's part rounded up to
    /// 64 pixels, the coarsest stride, so that every feature map has whole cells and each anchor sits on its cell.
    /// </summary>
    public Letterbox InputFor(int imageWidth, int imageHeight)
        => _fitsImage ? FittedInput(imageWidth, imageHeight, _width, _height) : Letterbox.Fit(imageWidth, imageHeight, _width, _height);

    private static Letterbox FittedInput(int imageWidth, int imageHeight, int maxWidth, int maxHeight)
    {
        var box = Letterbox.Fit(imageWidth, imageHeight, maxWidth, maxHeight);
        static int Up64(float v) => ((int)Math.Ceiling(v - 1e-3f) + 63) / 64 * 64;
        return box with { Width = Math.Min(maxWidth, Up64(imageWidth * box.Scale)), Height = Math.Min(maxHeight, Up64(imageHeight * box.Scale)) };
    }

    /// <summary>
    /// The input tensors an adapted UltraFace (up to 320×240) is given for a BGR image and its 2×2 tiles: what set-up
    /// runs the float model on to measure the activation ranges of its int8 form.
    /// </summary>
    public static IEnumerable<DenseTensor<float>> CalibrationInputs(Mat bgr)
    {
        using var input = new NetworkInput(TrainedWidth, TrainedHeight, Pixels);
        int w = bgr.Width / 2 * 2, h = bgr.Height / 2 * 2;
        var parts = new List<Rect> { new(0, 0, bgr.Width, bgr.Height) };
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 2; x++) parts.Add(new Rect(x * w / 2, y * h / 2, w / 2, h / 2));
        var tensors = new List<DenseTensor<float>>();
        foreach (var rect in parts)
        {
            using var part = new Mat(bgr, rect);
            var (_, tensor) = input.Prepare(DetectorImage.Of(part), FittedInput(rect.Width, rect.Height, TrainedWidth, TrainedHeight));
            tensors.Add((DenseTensor<float>)tensor.Clone());
        }
        return tensors;
    }

    public IReadOnlyList<FaceDetection> Detect(DetectorImage image) => Detect(image, zoomOut: _options.ZoomOut > 0);

    /// <summary>A tile keeps only faces small against it: the zoomed-out pass, which finds faces that fill the image, is left out.</summary>
    public IReadOnlyList<FaceDetection> DetectInTile(DetectorImage tile) => Detect(tile, zoomOut: false);

    private List<FaceDetection> Detect(DetectorImage image, bool zoomOut)
    {
        var input = InputFor(image.Width, image.Height);
        var found = Pass(image, input);
        if (!zoomOut) return NonMaxSuppression.Apply(found, _options.NmsThreshold);
        // The same input with the image smaller in its top-left corner: a face that filled the picture now fits the anchors.
        found.AddRange(Pass(image, input with { Scale = input.Scale * _options.ZoomOut }));
        return NonMaxSuppression.Apply(found, _options.NmsThreshold);
    }

    private List<FaceDetection> Pass(DetectorImage image, Letterbox input)
    {
        var (box, tensor) = _input.Prepare(image, input);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
        var scoreTensor = results.First(r => r.Name == "scores").AsTensor<float>();
        int n = scoreTensor.Dimensions[1];
        var priors = _decodes ? _priors.GetOrAdd((box.Width, box.Height), static size => new UltraFacePriors(size.Item1, size.Item2)) : null;
        if (priors is not null && n != priors.Count)
            throw new InvalidDataException($"UltraFace gave {n} anchors for a {box.Width}x{box.Height} input, expected {priors.Count}: not an RFB-320 model.");
        var scores = Flat(scoreTensor);
        var regressions = Flat(results.First(r => r.Name == (_decodes ? "locations" : "boxes")).AsTensor<float>());
        var found = new List<FaceDetection>();
        for (int i = 0; i < n; i++)
        {
            float score = scores[2 * i + 1];
            if (score < _options.ScoreThreshold) continue;
            var (x1, y1, x2, y2) = priors is not null ? priors.Decode(i, regressions)
                : (regressions[4 * i] * box.Width, regressions[4 * i + 1] * box.Height, regressions[4 * i + 2] * box.Width,
                    regressions[4 * i + 3] * box.Height);
            var b = BoxF.FromCorners(box.ToImage(x1), box.ToImage(y1), box.ToImage(x2), box.ToImage(y2)).Clip(image.Width, image.Height);
            if (Math.Min(b.Width, b.Height) < _options.MinFaceSize) continue;
            found.Add(new FaceDetection(b, score));
        }
        return found;
    }

    /// <summary>The output's values in order, without the per-element indexer (thousands of anchors a run).</summary>
    internal static ReadOnlySpan<float> Flat(Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> t)
        => t is Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float> dense ? dense.Buffer.Span : t.ToArray();

    public void Dispose()
    {
        _session.Dispose();
        _input.Dispose();
    }
}

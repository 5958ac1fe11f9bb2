using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.Sources;
using FaceAge.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using Xunit.Abstractions;

namespace FaceAge.Core.Tests.Detection;

/// <summary>
/// The adapted UltraFace (any input size, raw box regressions decoded by <see cref="UltraFacePriors"/>) against the
/// file as npm ships it (fixed 320×240, its own anchors and decoding baked in), which set-up keeps in the model cache.
/// </summary>
public class UltraFaceDetectorTests(ITestOutputHelper output)
{
    private static readonly PixelNormalization Pixels = new(Rgb: true, [127f, 127f, 127f], 1f / 128f, TensorLayout.Nchw);
    private static string NpmFile => Path.Combine(RepoPaths.Models, "cache", "src", "faceplugin-face-recognition-js-0.0.1", "model", "fr_detect.onnx");

    /// <summary>The photo letterboxed into <paramref name="width"/>×<paramref name="height"/> as UltraFace's input tensor.</summary>
    private static (Letterbox Box, DenseTensor<float> Tensor) Input(Mat photo, int width, int height)
    {
        var box = Letterbox.Fit(photo.Width, photo.Height, width, height);
        using var canvas = new Mat(height, width, MatType.CV_8UC3, Scalar.Black);
        box.ApplyInto(DetectorImage.Of(photo), canvas);
        var tensor = new DenseTensor<float>([1, 3, height, width]);
        Pixels.Write(canvas, tensor.Buffer.Span);
        return (box, tensor);
    }

    private static float[] Run(InferenceSession session, DenseTensor<float> input, string output)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        return results.First(r => r.Name == output).AsTensor<float>().ToArray();
    }

    [Fact]
    public void Decoding_the_raw_regressions_at_320x240_gives_the_npm_files_own_boxes()
    {
        using var original = new InferenceSession(NpmFile);
        using var adapted = new InferenceSession(RepoPaths.Model("ultraface-rfb-320.onnx"));
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample4.jpg"));
        var (_, tensor) = Input(photo, 320, 240);
        var boxes = Run(original, tensor, "boxes");
        var locations = Run(adapted, tensor, "locations");
        var scores = Run(original, tensor, "scores");
        var adaptedScores = Run(adapted, tensor, "scores");
        Assert.Equal(scores.Length, adaptedScores.Length);
        Assert.True(scores.Zip(adaptedScores).Max(p => Math.Abs(p.First - p.Second)) < 1e-5f, "the same network gives the same scores");

        var priors = new UltraFacePriors(320, 240);
        Assert.Equal(4420, priors.Count);
        Assert.Equal(boxes.Length, 4 * priors.Count);
        float worst = 0;
        for (int i = 0; i < priors.Count; i++)
        {
            var (x1, y1, x2, y2) = priors.Decode(i, locations);
            worst = Math.Max(worst, new[] { Math.Abs(x1 - boxes[4 * i] * 320), Math.Abs(y1 - boxes[4 * i + 1] * 240),
                Math.Abs(x2 - boxes[4 * i + 2] * 320), Math.Abs(y2 - boxes[4 * i + 3] * 240) }.Max());
        }
        Assert.True(worst < 0.01f, $"worst corner difference {worst} input pixels over {priors.Count} anchors");
    }

    [Theory]
    [InlineData(1280, 720, 320, 192)] // 16:9: the 320×240 letterbox would pad a quarter of the input black
    [InlineData(640, 480, 320, 240)]  // 4:3 fills it
    [InlineData(720, 1280, 192, 240)] // portrait
    [InlineData(712, 400, 320, 192)]  // a 2×2 tile of a 720p frame
    [InlineData(1920, 1080, 320, 192)]
    public void An_image_runs_at_an_input_that_fits_its_aspect_at_the_letterbox_scale(int width, int height, int inputWidth, int inputHeight)
    {
        using var detector = (UltraFaceDetector)DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 1 }, RepoPaths.Models,
            new OnnxSessionFactory(new InferenceOptions()));
        var box = detector.InputFor(width, height);
        Assert.Equal((inputWidth, inputHeight), (box.Width, box.Height));
        Assert.Equal(Letterbox.Fit(width, height, 320, 240).Scale, box.Scale);
    }

    [Fact]
    public void A_wide_frame_at_its_fitted_input_gives_the_faces_the_published_file_finds_at_320x240()
    {
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        using var frame = WideFrame(photo);

        // The npm file as published: 320×240 only, its own anchors and decoding.
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var published = DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 1, ModelPath = NpmFile }, RepoPaths.Models, sessions);
        using var detector = DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 1, ModelPath = "ultraface-rfb-320.onnx" },
            RepoPaths.Models, sessions);
        Assert.Equal("UltraFace 320x240", published.Name);
        Assert.Equal("UltraFace up to 320x240", detector.Name);
        var reference = published.Detect(frame);
        var found = detector.Detect(frame);

        Assert.Equal(SamplePhotos.FaceCounts["sample6.jpg"], reference.Count);
        Assert.Equal(reference.Count, found.Count);
        foreach (var r in reference)
        {
            var match = found.MaxBy(f => f.Box.IntersectionOverUnion(r.Box))!;
            Assert.True(match.Box.IntersectionOverUnion(r.Box) > 0.98f, $"face at ({r.Box.X:F0}, {r.Box.Y:F0}): IoU "
                + $"{match.Box.IntersectionOverUnion(r.Box):F3}, score {match.Score:F3} vs {r.Score:F3} with the padded input's box");
            Assert.InRange(match.Score, r.Score - 0.02f, r.Score + 0.02f);
        }
    }

    /// <summary>A photo centred on a black 1280×720 frame, as the demo camera shows it.</summary>
    private static Mat WideFrame(Mat photo)
    {
        var frame = new Mat(720, 1280, MatType.CV_8UC3, Scalar.Black);
        double fit = Math.Min(1280.0 / photo.Width, 720.0 / photo.Height);
        using var scaled = new Mat();
        Cv2.Resize(photo, scaled, new Size((int)(photo.Width * fit), (int)(photo.Height * fit)), 0, 0, InterpolationFlags.Area);
        scaled.CopyTo(frame[new Rect((1280 - scaled.Width) / 2, (720 - scaled.Height) / 2, scaled.Width, scaled.Height)]);
        return frame;
    }

    /// <summary>Float and int8 detectors (the default) over the same images: faces of each matched to the other's by IoU.</summary>
    private sealed class FloatAgainstInt8 : IDisposable
    {
        private readonly IFaceDetector _float, _int8;
        public int Float, Int8, Matched;
        public readonly List<double> Ious = [], ScoreDiffs = [];

        public FloatAgainstInt8(int tiles)
        {
            var sessions = new OnnxSessionFactory(new InferenceOptions());
            _float = DetectorRegistry.Create(new DetectorOptions { Tiles = tiles, ModelPath = "ultraface-rfb-320.onnx" }, RepoPaths.Models, sessions);
            _int8 = DetectorRegistry.Create(new DetectorOptions { Tiles = tiles }, RepoPaths.Models, sessions);
        }

        public string Int8Name => _int8.Name;

        public void Compare(Mat image) => Compare(d => d.Detect(image));

        public void Compare(IFrameImage frame) => Compare(d => d.Detect(frame));

        private void Compare(Func<IFaceDetector, IReadOnlyList<FaceDetection>> detect)
        {
            var a = detect(_float);
            var b = detect(_int8);
            Float += a.Count;
            Int8 += b.Count;
            foreach (var f in a)
            {
                var best = b.MaxBy(q => q.Box.IntersectionOverUnion(f.Box));
                if (best is null || best.Box.IntersectionOverUnion(f.Box) < 0.5f) continue;
                Matched++;
                Ious.Add(best.Box.IntersectionOverUnion(f.Box));
                ScoreDiffs.Add(Math.Abs(best.Score - f.Score));
            }
        }

        public override string ToString() => $"float {Float} faces, int8 {Int8}, matched {Matched}; IoU mean {Ious.DefaultIfEmpty().Average():0.000} min "
            + $"{Ious.DefaultIfEmpty().Min():0.000}; |Δscore| mean {ScoreDiffs.DefaultIfEmpty().Average():0.000} "
            + $"max {ScoreDiffs.DefaultIfEmpty().Max():0.000}";

        public void Dispose()
        {
            _float.Dispose();
            _int8.Dispose();
        }
    }

    [Fact]
    public void The_int8_default_finds_the_faces_of_the_float_model_in_the_sample_photos()
    {
        // The photos are what set-up measured the int8 model's ranges on; real video frames are the check below.
        using var whole = new FloatAgainstInt8(tiles: 1);
        using var tiled = new FloatAgainstInt8(tiles: 2);
        Assert.Equal("UltraFace int8 up to 320x240", whole.Int8Name);
        foreach (var name in SamplePhotos.FaceCounts.Keys)
        {
            using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf(name));
            whole.Compare(photo);
            using var frame = WideFrame(photo);
            tiled.Compare(frame);
        }
        output.WriteLine($"photos: {whole}");
        output.WriteLine($"720p frames, 2x2 tiles: {tiled}");
        foreach (var c in new[] { whole, tiled })
        {
            Assert.Equal(c.Float, c.Int8);
            Assert.Equal(c.Float, c.Matched);
            Assert.True(c.Ious.Average() > 0.95, $"{c}");
            Assert.True(c.ScoreDiffs.Max() < 0.1, $"{c}");
        }
    }

    [SharedDataFact]
    public void The_int8_default_finds_the_faces_of_the_float_model_in_real_video()
    {
        using var tiled = new FloatAgainstInt8(tiles: 2);
        foreach (var video in new[] { "s18.mp4", "s32.mp4", "d14.mp4", "short_hamilton_clip.mp4" })
            foreach (var frame in new FfmpegFrameSource(new FrameSourceOptions(Path.Combine(RepoPaths.Shared, "videos",
                video)) { MaxFps = 2 }).FramesAsync().ToBlockingEnumerable())
                using (frame)
                    tiled.Compare(frame.Image);
        output.WriteLine($"videos at 2 frames/s, 2x2 tiles: {tiled}");
        Assert.True(tiled.Float >= 50, $"{tiled}");
        Assert.True(tiled.Matched >= 0.95 * tiled.Float, $"{tiled}");
        Assert.InRange(tiled.Int8, 0.95 * tiled.Float, 1.05 * tiled.Float);
        Assert.True(tiled.Ious.Average() > 0.9, $"{tiled}");
    }

    [SharedDataFact]
    public void A_face_that_fills_the_photo_is_found_by_the_zoomed_out_pass()
    {
        // FairFace photos whose one face fills most of the picture: the default detector missed each (docs/detectors.md).
        string[] photos = ["val-27.jpg", "val-86.jpg", "val-105.jpg", "val-154.jpg"];
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var plain = DetectorRegistry.Create(new DetectorOptions { Tiles = 1 }, RepoPaths.Models, sessions);
        using var zoomed = DetectorRegistry.Create(new DetectorOptions { Tiles = 1, ZoomOut = 0.5f }, RepoPaths.Models, sessions);
        int plainFound = 0;
        foreach (var name in photos)
        {
            using var photo = Cv2.ImRead(Path.Combine(RepoPaths.Shared, "datasets", "fairface-val", "images", name));
            plainFound += plain.Detect(DetectorImage.Of(photo)).Count;
            var faces = zoomed.Detect(DetectorImage.Of(photo));
            output.WriteLine($"{name} ({photo.Width}x{photo.Height}): {string.Join(", ", faces.Select(f => $"{f.Box} {f.Score:0.00}"))}");
            var face = Assert.Single(faces);
            Assert.InRange(face.Box.Width, photo.Width * 0.4f, photo.Width * 1.01f);
            Assert.InRange(face.Box.X + face.Box.Width / 2, photo.Width * 0.25f, photo.Width * 0.75f);
        }
        Assert.True(plainFound < photos.Length, $"the plain pass found {plainFound} of {photos.Length}: pick photos it misses");
    }
}

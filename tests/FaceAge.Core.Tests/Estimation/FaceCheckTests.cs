using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace FaceAge.Core.Tests.Estimation;

/// <summary>The committed face check (models/heads/face-check.onnx) on real faces and on things that are not faces.</summary>
public class FaceCheckTests(ITestOutputHelper output)
{
    private static FaceAnalyzer Analyzer(string model = "faceres-deep.onnx", string? check = "heads/face-check.onnx")
        => FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderModel = model, FlipAugmentation = false, FaceCheck = check });

    [Theory]
    [InlineData("faceres-deep.onnx")]
    [InlineData("faceres-deep-int8.onnx")]
    public void Every_real_face_of_the_sample_photos_passes_on_the_float_and_the_int8_backbone(string model)
    {
        using var analyzer = Analyzer(model);
        var scores = new List<double>();
        foreach (var (photo, count) in SamplePhotos.FaceCounts)
        {
            using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
            var faces = analyzer.Analyze(image);
            Assert.Equal(count, faces.Count);
            scores.AddRange(faces.Select(f => f.FaceScore!.Value));
        }
        output.WriteLine($"CPU: {FaceAge.Core.Inference.CpuFeatures.Current}; {model}: {scores.Count} faces, P(face) min {scores.Min():0.000}, mean "
            + $"{scores.Average():0.000}");
        Assert.Equal(22, scores.Count);
        Assert.All(scores, s => Assert.True(s >= 0.5, $"a real face scored {s:0.000}"));
    }

    [Fact]
    public void Crops_of_non_faces_score_low()
    {
        using var analyzer = Analyzer();
        // Boxes the detector could have given on things that are not faces: a flat wall, noise, stripes, a skin-coloured blob.
        var images = new List<Mat>
        {
            new(200, 200, MatType.CV_8UC3, new Scalar(235, 235, 240)),
            Noise(200, 200, seed: 3),
            Stripes(200, 200),
            Blob(200, 200),
        };
        var scores = images.Select(image => analyzer.Analyze(image, [new FaceDetection(new BoxF(40, 40, 120, 120), 0.9f)]).Single().FaceScore!.Value).ToList();
        output.WriteLine($"P(face) of wall, noise, stripes, blob: {string.Join(", ", scores.Select(s => s.ToString("0.000")))}");
        foreach (var image in images) image.Dispose();
        Assert.All(scores, s => Assert.True(s < 0.5, $"a non-face scored {s:0.000}"));
    }

    [Fact]
    public void Without_a_face_check_there_is_no_score_and_every_face_is_likely()
    {
        using var analyzer = Analyzer(check: "");
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample1.jpg"));
        Assert.All(analyzer.Analyze(image), f => Assert.True(f.FaceScore is null && f.LikelyFace));
    }

    [Fact]
    public void A_model_that_is_not_a_face_check_is_refused_naming_the_file()
    {
        var head = Path.Combine(RepoPaths.Models, "ultraface-rfb-320.onnx");
        var e = Assert.Throws<InvalidDataException>(() => Analyzer(check: head));
        Assert.Contains(head, e.Message);
        Assert.Contains("not a FaceAge face-check", e.Message);
    }

    private static Mat Noise(int w, int h, int seed)
    {
        var bytes = new byte[w * h * 3];
        new Random(seed).NextBytes(bytes);
        var m = new Mat(h, w, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, m.Data, bytes.Length);
        return m;
    }

    private static Mat Stripes(int w, int h)
    {
        var m = new Mat(h, w, MatType.CV_8UC3, Scalar.White);
        for (int x = 0; x < w; x += 16) Cv2.Rectangle(m, new Rect(x, 0, 8, h), Scalar.Black, -1);
        return m;
    }

    private static Mat Blob(int w, int h)
    {
        var m = new Mat(h, w, MatType.CV_8UC3, new Scalar(60, 90, 60));
        Cv2.Ellipse(m, new RotatedRect(new Point2f(w / 2f, h / 2f), new Size2f(w * 0.5f, h * 0.6f), 0), new Scalar(120, 150, 200), -1);
        Cv2.GaussianBlur(m, m, new Size(0, 0), 6);
        return m;
    }
}

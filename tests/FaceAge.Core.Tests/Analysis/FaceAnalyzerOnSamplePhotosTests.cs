using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.Analysis;

/// <summary>Real models on real photos (npm @vladmandic/face-api demo/sample1–6.jpg: groups of young women).</summary>
public class FaceAnalyzerOnSamplePhotosTests
{
    private static FaceAnalyzer Analyzer(string kind = "UltraFace")
        => FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, Detector = new DetectorOptions { Kind = kind } });

    public static TheoryData<string, int> Photos()
    {
        var data = new TheoryData<string, int>();
        foreach (var (name, count) in SamplePhotos.FaceCounts) data.Add(name, count);
        return data;
    }

    [Theory]
    [MemberData(nameof(Photos))]
    public void Default_analyzer_finds_every_face_and_each_is_an_adult_woman(string photo, int faces)
    {
        using var analyzer = Analyzer();
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
        var results = analyzer.Analyze(image);
        Assert.Equal(faces, results.Count);
        foreach (var r in results)
        {
            Assert.Equal(Gender.Female, r.Gender);
            Assert.InRange(r.GenderProbability, 0.5, 1.0);
            Assert.InRange(r.AgeUncertainty, 1, 15);
            // The stated interval reaches the adult range (one blurred face of sample5.jpg is estimated 15 ± 8; how many
            // point estimates are adults' is checked over all 22 faces in AnalyzeCommandTests).
            Assert.True(r.Age + r.AgeUncertainty >= 18 && r.Age - r.AgeUncertainty <= 45, $"{photo}: age {r.Age:0.0} ± {r.AgeUncertainty:0.0} misses 18–45");
            Assert.InRange(r.Quality, 0, 1);
            Assert.Equal(1024, r.Attributes.Descriptor.Length);
            // The committed face check (models/heads/face-check.onnx) is on by default and keeps every real face.
            Assert.NotNull(r.FaceScore);
            Assert.True(r.LikelyFace, $"{photo}: a real face scored {r.FaceScore} by the face check");
        }
    }

    [Fact]
    public void Results_are_reproducible_and_batching_does_not_change_them()
    {
        using var batched = Analyzer();
        using var single = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, MaxBatchSize = 1 });
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample5.jpg"));
        var a = batched.Analyze(image);
        var b = single.Analyze(image);
        Assert.Equal(a.Select(r => r.Age), b.Select(r => r.Age));
        Assert.Equal(a.Select(r => r.GenderProbability), b.Select(r => r.GenderProbability));
    }

    [Fact]
    public void Concurrent_use_of_one_analyzer_gives_the_same_results()
    {
        using var analyzer = Analyzer();
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample3.jpg"));
        var expected = analyzer.Analyze(image).Select(r => r.Age).ToArray();
        var runs = Enumerable.Range(0, 4).AsParallel().Select(_ =>
        {
            using var copy = image.Clone();
            return analyzer.Analyze(copy).Select(r => r.Age).ToArray();
        }).ToList();
        Assert.All(runs, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData("BlazeFaceBack")]
    [InlineData("BlazeFaceFront")]
    public void BlazeFace_detectors_find_faces_with_eye_landmarks_inside_the_box(string kind)
    {
        using var analyzer = Analyzer(kind);
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        var faces = analyzer.Detect(image);
        Assert.NotEmpty(faces);
        foreach (var f in faces)
        {
            var lm = Assert.IsType<FaceLandmarks>(f.Landmarks);
            Assert.InRange(lm.RightEye.X, f.Box.X, f.Box.Right);
            Assert.InRange(lm.LeftEye.Y, f.Box.Y, f.Box.Bottom);
            Assert.True(lm.RightEye.X < lm.LeftEye.X, "the subject's right eye is on the image's left");
        }
    }

    [SharedDataFact]
    public void YuNet_adapter_finds_the_faces_with_five_landmarks()
    {
        var model = Path.Combine(RepoPaths.Shared, "models", "yunet", "yunet_s_640_640.onnx");
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions
        {
            ModelsDirectory = RepoPaths.Models,
            Detector = new DetectorOptions { Kind = "YuNet", ModelPath = model },
        });
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        var results = analyzer.Analyze(image);
        Assert.Equal(SamplePhotos.FaceCounts["sample6.jpg"], results.Count);
        Assert.All(results, r =>
        {
            Assert.NotNull(r.Detection.Landmarks!.MouthLeft);
            Assert.Equal(Gender.Female, r.Gender);
        });
    }
}

using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Alignment;

/// <summary>Analysis:Landmarks: the analyzer's faces come with landmarks, found on the full image or on its halving alike.</summary>
public class LandmarkedFaceDetectorTests
{
    [Fact]
    public void With_Analysis_Landmarks_every_face_has_landmarks_and_the_same_box_as_without()
    {
        using var plain = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, FaceCheck = "" });
        using var landmarked = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, FaceCheck = "", Landmarks = "fr-landmark68" });
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample4.jpg"));

        var before = plain.Detect(image);
        var after = landmarked.Detect(image);

        Assert.Equal(SamplePhotos.FaceCounts["sample4.jpg"], after.Count);
        Assert.Equal(before.Select(f => f.Box), after.Select(f => f.Box));
        Assert.All(after, f => Assert.NotNull(f.Landmarks?.MouthLeft));
        Assert.All(before, f => Assert.Null(f.Landmarks));
    }

    [Fact]
    public void Landmarks_found_on_the_halving_land_where_those_of_the_full_image_do()
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = new LandmarkedFaceDetector(DetectorRegistry.Create(new DetectorOptions { Tiles = 1 }, RepoPaths.Models, sessions),
            FaceLandmarkers.Create(Landmark68Model.Name, RepoPaths.Models, sessions));
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample1.jpg"));
        using var half = new Mat();
        Cv2.Resize(image, half, new Size(image.Width / 2, image.Height / 2), 0, 0, InterpolationFlags.Area);

        var full = detector.Detect(DetectorImage.Of(image));
        var halved = detector.Detect(new DetectorImage(image.Width, image.Height, null, half));

        Assert.Equal(full.Count, halved.Count);
        for (int i = 0; i < full.Count; i++)
        {
            var (a, b) = (full[i].Landmarks!, halved[i].Landmarks!);
            float tolerance = 0.06f * full[i].Box.Width;
            Assert.True(Math.Abs(a.LeftEye.X - b.LeftEye.X) < tolerance && Math.Abs(a.LeftEye.Y - b.LeftEye.Y) < tolerance, $"{a.LeftEye} vs {b.LeftEye}");
            Assert.True(Math.Abs(a.Nose.X - b.Nose.X) < tolerance && Math.Abs(a.Nose.Y - b.Nose.Y) < tolerance, $"{a.Nose} vs {b.Nose}");
        }
    }

    [Fact]
    public void An_unknown_landmark_finder_is_an_error_naming_the_key()
    {
        var errors = new AnalyzerOptions { Landmarks = "dlib" }.Validate().ToList();
        Assert.Contains(errors, e => e.Contains("Analysis:Landmarks", StringComparison.Ordinal) && e.Contains("fr-landmark68", StringComparison.Ordinal));
    }
}

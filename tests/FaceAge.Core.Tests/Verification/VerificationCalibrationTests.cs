using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.Verification;
using FaceAge.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace FaceAge.Core.Tests.Verification;

/// <summary>The committed calibration (models/heads/verification.json, from `faceage bench verify`) with its embedding on real photos.</summary>
public class VerificationCalibrationTests(ITestOutputHelper output)
{
    private static readonly string CalibrationFile = Path.Combine(RepoPaths.Models, "heads", "verification.json");

    [Fact]
    public void The_committed_calibration_names_a_known_embedding_and_landmark_finder_and_a_threshold_at_one_in_a_thousand_false_accepts()
    {
        var cal = VerificationCalibration.Load(CalibrationFile);
        Assert.Contains(cal.Embedding, FaceEmbedders.Names);
        Assert.Contains(cal.Landmarks, FaceLandmarkers.Names);
        Assert.InRange(cal.Threshold, 0.05, 0.99);
        Assert.InRange(cal.FalseAcceptRate, 0.0005, 0.0015);
        Assert.True(cal.Slope > 0);
        Assert.True(cal.SameProbability(cal.Threshold + 0.1) > cal.SameProbability(cal.Threshold));
        Assert.Equal(0.5, cal.SameProbability(-cal.Intercept / cal.Slope), 6);
    }

    [Fact]
    public void A_missing_calibration_is_an_error_naming_the_file_and_the_command_that_makes_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => VerificationCalibration.Load("/nowhere/verification.json"));
        Assert.Contains("/nowhere/verification.json", e.Message);
        Assert.Contains("faceage bench verify", e.Message);
    }

    [Fact]
    public void Each_face_matches_itself_in_a_smaller_mirrored_copy_and_different_people_rarely_match()
    {
        var cal = VerificationCalibration.Load(CalibrationFile);
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, FaceCheck = "" });
        using var landmarks = FaceLandmarkers.Create(cal.Landmarks, RepoPaths.Models, sessions);
        using var embedder = FaceEmbedders.Create(cal.Embedding, RepoPaths.Models, sessions);
        var all = new List<(string Photo, float[] Embedding)>();
        int matchedCopies = 0, faces = 0;
        foreach (var photo in SamplePhotos.FaceCounts.Keys)
        {
            using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
            using var copy = new Mat();
            Cv2.Resize(image, copy, new Size(), 0.7, 0.7, InterpolationFlags.Area);
            Cv2.Flip(copy, copy, FlipMode.Y);
            var original = Embed(image);
            var mirrored = Embed(copy);
            faces += original.Count;
            // The best match of each face in the copy is itself: the same person.
            foreach (var e in original)
                if (mirrored.Max(m => cal.Similarity(e, m)) >= cal.Threshold) matchedCopies++;
            all.AddRange(original.Select(e => (photo, e)));
        }
        int impostors = 0, accepted = 0;
        for (int i = 0; i < all.Count; i++)
            for (int j = i + 1; j < all.Count; j++, impostors++)
                if (cal.Similarity(all[i].Embedding, all[j].Embedding) >= cal.Threshold) accepted++;
        output.WriteLine($"{cal.Embedding}: {matchedCopies} of {faces} faces match their mirrored copy; {accepted} of {impostors} pairs of different women "
            + "accepted");
        Assert.Equal(22, faces);
        Assert.True(matchedCopies >= 20, $"only {matchedCopies} of {faces} faces matched their own mirrored copy");
        Assert.True(accepted <= impostors * 0.05, $"{accepted} of {impostors} pairs of different people were called the same");

        List<float[]> Embed(Mat image)
        {
            var found = landmarks.WithLandmarks(image, analyzer.Detect(image));
            return [.. embedder.Embed(image, found)];
        }
    }
}

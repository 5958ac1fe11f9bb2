using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.Verification;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.Verification;

/// <summary>The worker's recognition embedding, from its age/gender crops alone, against the same network on the whole photo.</summary>
public class CropEmbedderTests
{
    [Fact]
    public void A_face_embedded_from_its_crop_matches_itself_embedded_from_the_photo_and_no_one_else()
    {
        var options = new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, FaceCheck = "" };
        using var analyzer = FaceAnalyzer.Create(options);
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var fromCrops = CropEmbedder.Create(RepoPaths.Models, sessions, analyzer.Sampling.Cropper);
        using var landmarks = FaceLandmarkers.Create(Landmark68Model.Name, RepoPaths.Models, sessions);
        using var fromPhoto = FaceEmbedders.CreateAligned("fr-feature-int8", RepoPaths.Models, sessions);
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample5.jpg"));
        var faces = analyzer.Detect(image);
        var crops = faces.Select(f => analyzer.Sampling.Cut(image, f)).ToList();
        try
        {
            var a = fromCrops.Embed(crops);
            var b = fromPhoto.Embed(image, landmarks.WithLandmarks(image, faces));
            Assert.Equal(SamplePhotos.FaceCounts["sample5.jpg"], a.Count);
            for (int i = 0; i < a.Count; i++)
            {
                double self = FaceSimilarity.Cosine(a[i], b[i]);
                Assert.True(self > 0.85, $"face {i}: crop and photo embeddings at cosine {self:0.000}");
                for (int j = 0; j < b.Count; j++)
                    if (j != i) Assert.True(FaceSimilarity.Cosine(a[i], b[j]) < 0.635, $"faces {i} and {j} look alike");
            }
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }
}

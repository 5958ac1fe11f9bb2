using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Imaging;
using FaceAge.Testing;

namespace FaceAge.Training.Tests;

/// <summary>A head chosen by configuration runs in the analyzer, on the npm sample photos.</summary>
public class FaceAnalyzerWithTrainedHeadTests
{
    /// <summary>
    /// A head built by hand whose answer is known: a Gaussian (σ 3 years) around the backbone's own expected
    /// age — its logit for age k is k·E/σ² − k²/2σ², linear in the age-bin probabilities since E = Σ (i+1)·p_i —
    /// and P(male) = σ(40 (p − 0.65)), which decides like the stock 0.65 calibration.
    /// </summary>
    private static string EchoHead()
    {
        const double sigma = 3;
        int d = BackboneFeatures.Length;
        var net = new HeadNetwork(d, 0, new float[d], Enumerable.Repeat(1f, d).ToArray());
        for (int k = 0; k < HeadNetwork.AgeBins; k++)
        {
            for (int i = 0; i < BackboneFeatures.AgeBins; i++)
                net.WAge[k * d + BackboneFeatures.DescriptorLength + i] = (float)(k * (i + 1) / (sigma * sigma));
            net.BAge[k] = (float)(-k * k / (2 * sigma * sigma));
        }
        net.WMale[d - 1] = 40;
        net.BMale[0] = -40 * 0.65f;
        var file = Path.Combine(Path.GetTempPath(), $"faceage-echo-head-{Guid.NewGuid():N}.onnx");
        HeadExport.Write(net, file);
        return file;
    }

    [Fact]
    public void A_configured_head_replaces_the_models_age_and_gender_outputs()
    {
        var head = EchoHead();
        try
        {
            using var stock = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = "" }); // the model's own outputs
            using var headed = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = head });
            int faces = 0;
            foreach (var (photo, count) in SamplePhotos.FaceCounts)
            {
                using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
                var a = stock.Analyze(image);
                var b = headed.Analyze(image);
                Assert.Equal(count, b.Count);
                foreach (var (s, h) in a.Zip(b))
                {
                    // The head's distribution (0–120) is its own, but centred where the backbone's was.
                    Assert.Equal(HeadNetwork.AgeBins, h.Attributes.Age.Probabilities.Length);
                    Assert.Equal(0, h.Attributes.Age.FirstAge);
                    Assert.InRange(Math.Abs(h.Age - s.Age), 0, 0.01);
                    // σ 3 per view; averaging the crop's and the mirror's Gaussians can only widen it.
                    Assert.InRange(h.AgeUncertainty, 2.9, 6);
                    Assert.Equal(s.Gender, h.Gender);
                    Assert.Equal(Gender.Female, h.Gender);
                    Assert.Equal(s.Attributes.Descriptor, h.Attributes.Descriptor); // the backbone is the same
                    faces++;
                }
            }
            Assert.Equal(22, faces);
        }
        finally { File.Delete(head); }
    }

    [Fact]
    public void A_missing_head_file_is_named()
    {
        var e = Assert.Throws<Core.ModelFiles.ModelMissingException>(() =>
            FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = "heads/nothing-here.onnx" }));
        Assert.Contains("nothing-here.onnx", e.Message);
    }
}

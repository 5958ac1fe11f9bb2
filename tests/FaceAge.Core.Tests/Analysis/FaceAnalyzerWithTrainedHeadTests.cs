using FaceAge.Core.Analysis;
using FaceAge.Core.Imaging;
using FaceAge.Core.Training;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.Analysis;

/// <summary>The committed head (models/heads/utkface-dev.onnx) chosen by configuration, on the npm sample photos.</summary>
public class FaceAnalyzerWithTrainedHeadTests
{
    private const string Head = "heads/utkface-dev.onnx";

    [Fact]
    public void The_head_replaces_the_models_age_and_gender_and_still_sees_adult_women()
    {
        using var stock = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models });
        using var headed = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = Head });
        int faces = 0;
        double difference = 0;
        foreach (var (photo, count) in SamplePhotos.FaceCounts)
        {
            using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
            var a = stock.Analyze(image);
            var b = headed.Analyze(image);
            Assert.Equal(count, b.Count);
            foreach (var (s, h) in a.Zip(b))
            {
                Assert.Equal(HeadNetwork.AgeBins, h.Attributes.Age.Probabilities.Length);
                Assert.Equal(0, h.Attributes.Age.FirstAge);
                Assert.Equal(Gender.Female, h.Gender);
                Assert.InRange(h.Age, 16, 50);
                Assert.Equal(s.Attributes.Descriptor, h.Attributes.Descriptor); // the backbone is the same
                difference += Math.Abs(s.Age - h.Age);
                faces++;
            }
        }
        Assert.Equal(22, faces);
        Assert.True(difference / faces > 0.1, "the head's ages should differ from the stock outputs");
    }

    [Fact]
    public void A_missing_head_file_is_named_with_the_setup_hint()
    {
        var e = Assert.Throws<Core.Models.ModelMissingException>(() =>
            FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = "heads/nothing-here.onnx" }));
        Assert.Contains("nothing-here.onnx", e.Message);
    }
}

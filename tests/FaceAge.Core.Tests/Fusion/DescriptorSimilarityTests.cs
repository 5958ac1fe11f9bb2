using FaceAge.Core.Analysis;
using FaceAge.Core.Fusion;
using FaceAge.Core.Imaging;
using FaceAge.Core.Sources;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.Fusion;

/// <summary>
/// The re-entry threshold must separate "same person, another moment" from "another person" for the
/// descriptors the model really produces.
/// </summary>
public class DescriptorSimilarityTests
{
    private static double Threshold => new FusionOptions { Embedding = FusionOptions.DescriptorEmbedding }.EffectiveReentrySimilarity;

    private static List<float[]> SamplePhotoDescriptors(FaceAnalyzer analyzer)
    {
        var all = new List<float[]>();
        foreach (var photo in SamplePhotos.FaceCounts.Keys)
        {
            using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
            all.AddRange(analyzer.Analyze(image).Select(r => r.Attributes.Descriptor));
        }
        return all;
    }

    [Fact]
    public void Different_people_are_below_the_reentry_threshold()
    {
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models });
        var d = SamplePhotoDescriptors(analyzer);
        double max = 0;
        for (int i = 0; i < d.Count; i++)
            for (int j = i + 1; j < d.Count; j++)
                max = Math.Max(max, FaceAge.Core.Estimation.FaceSimilarity.Cosine(d[i], d[j]));
        Console.WriteLine($"different people: max cosine {max:0.000}");
        Assert.True(max < Threshold, $"two different people reach cosine {max:0.000}, threshold {Threshold}");
    }

    [SharedDataFact]
    public void The_same_person_later_matches_one_of_the_kept_earlier_descriptors()
    {
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models });
        var descriptors = new List<float[]>();
        foreach (var frame in new FfmpegFrameSource(new FrameSourceOptions(Path.Combine(RepoPaths.Shared, "videos",
            "d3.mp4")) { MaxFps = 1 }).FramesAsync().ToBlockingEnumerable())
            using (frame)
                descriptors.AddRange(analyzer.Analyze(frame.Image).OrderByDescending(r => r.FaceSize).Take(1).Select(r => r.Attributes.Descriptor));
        Assert.True(descriptors.Count >= 8);
        // Samples from the first half of the clip are the departed person; each later frame is a return.
        int half = descriptors.Count / 2;
        var earlier = descriptors.Take(half).ToList();
        var matches = descriptors.Skip(half).Select(d => earlier.Max(e => FaceAge.Core.Estimation.FaceSimilarity.Cosine(e, d))).ToList();
        Console.WriteLine($"same person: best-match cosines {string.Join(", ", matches.Select(m => m.ToString("0.000")))}");
        Assert.True(matches.Count(m => m >= Threshold) >= matches.Count * 0.8, $"only {matches.Count(m => m >= Threshold)} of {matches.Count} returns match "
            + $"at {Threshold}: {string.Join(", ", matches.Select(m => m.ToString("0.000")))}");
    }
}

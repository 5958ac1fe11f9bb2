using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Models.Onnx;
using FaceAge.Training.Precision;

namespace FaceAge.Training.Tests.Precision;

public class LinearCheckTrainerTests
{
    /// <summary>Faces and non-faces that differ along a few features, in noise on all the others.</summary>
    private static List<CheckSample> Samples(int faces, int nonFaces, int seed)
    {
        var random = new Random(seed);
        CheckSample One(bool face, int i)
        {
            var f = new float[BackboneFeatures.Length];
            for (int k = 0; k < f.Length; k++) f[k] = random.NextSingle() * 2 - 1;
            for (int k = 0; k < 10; k++) f[k * 100] += face ? 1.5f : -1.5f;
            f[7] = 3; // never varies: says nothing
            return new CheckSample(f, face, $"group{i % 4}");
        }
        return [.. Enumerable.Range(0, faces).Select(i => One(true, i)), .. Enumerable.Range(0, nonFaces).Select(i => One(false, i))];
    }

    [Fact]
    public void It_separates_faces_from_non_faces_it_never_saw_even_with_ten_times_more_faces()
    {
        var model = LinearCheckTrainer.Train(Samples(400, 40, seed: 1));
        var test = Samples(200, 200, seed: 2);
        double facesKept = test.Where(s => s.Positive).Average(s => model.Score(s.Features) >= 0.5 ? 1.0 : 0);
        double nonFacesRemoved = test.Where(s => !s.Positive).Average(s => model.Score(s.Features) < 0.5 ? 1.0 : 0);
        Assert.True(facesKept > 0.95, $"faces kept {facesKept:P1}");
        Assert.True(nonFacesRemoved > 0.95, $"non-faces removed {nonFacesRemoved:P1}"); // balanced classes: the few non-faces still count
        Assert.Equal(0, model.Scale[7]);
    }

    [Fact]
    public void The_same_samples_give_the_same_model()
    {
        var a = LinearCheckTrainer.Train(Samples(60, 20, seed: 3), epochs: 50);
        var b = LinearCheckTrainer.Train(Samples(60, 20, seed: 3), epochs: 50);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Bias, b.Bias);
    }

    [Fact]
    public void The_exported_onnx_scores_like_the_model_in_memory_and_loads_as_a_face_check()
    {
        var model = LinearCheckTrainer.Train(Samples(60, 20, seed: 4), epochs: 50);
        var file = Path.Combine(Path.GetTempPath(), $"faceage-check-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxWriter.WriteFile(model.ToOnnx(FaceModelRegistry.FaceResDeep.Layout, BackboneCheck.Face), file);
            using var check = new BackboneCheck(new OnnxSessionFactory(new InferenceOptions()).Create(file), file, BackboneCheck.Face);
            var test = Samples(3, 3, seed: 5);
            var scores = check.Run(test.SelectMany(s => s.Features).ToArray(), test.Count);
            for (int i = 0; i < test.Count; i++) Assert.Equal(model.Score(test[i].Features), scores[i], 1e-5);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Training_without_any_non_face_is_refused()
        => Assert.Throws<ArgumentException>(() => LinearCheckTrainer.Train(Samples(10, 0, seed: 6)));

    [Fact]
    public void Leave_one_group_out_scores_every_sample_once_by_a_model_that_did_not_see_its_group()
    {
        var samples = Samples(40, 20, seed: 8);
        var scored = LinearCheckTrainer.CrossValidate(samples);
        Assert.Equal(samples.Count, scored.Count);
        Assert.Equal(samples.ToHashSet(), scored.Select(s => s.Sample).ToHashSet());
    }
}

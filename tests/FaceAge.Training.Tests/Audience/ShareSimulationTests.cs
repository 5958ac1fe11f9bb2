using FaceAge.Core.Estimation;
using FaceAge.Training.Audience;

namespace FaceAge.Training.Tests.Audience;

/// <summary>Windows simulated from labelled estimates: a perfect estimator has no error, a biased one is corrected by its own confusion.</summary>
public class ShareSimulationTests
{
    private static readonly AgeGroups Groups = new([0, 13, 18, 25, 35, 45, 55, 65]);

    /// <summary>600 people aged 1–79, half of them men; the estimate is <paramref name="estimate"/> of the true age,
    /// stated ±<paramref name="uncertainty"/>.</summary>
    private static List<PredictedFace> Faces(Func<double, double> estimate, double maleProbabilityForMen = 1, double uncertainty = 1)
        => Enumerable.Range(0, 600).Select(i =>
        {
            double age = 1 + i % 79;
            bool male = i % 2 == 0;
            return new PredictedFace("synthetic", age, null, male, estimate(age), uncertainty, male ? maleProbabilityForMen : 1 - maleProbabilityForMen);
        }).ToList();

    [Fact]
    public void A_perfect_estimator_gives_the_true_shares_whichever_way_they_are_counted()
    {
        // Each face estimated at the middle of its true group, sure of it: every way of counting must give the truth.
        var faces = Faces(age =>
        {
            var bounds = Groups.LowerBounds;
            int g = Groups.IndexOf(age);
            return g + 1 < bounds.Count ? (bounds[g] + bounds[g + 1]) / 2.0 : bounds[g] + 5;
        }, uncertainty: 0.5);
        var simulation = new ShareSimulation(Groups, seed: 3);
        var model = simulation.Measure(faces, windows: 20);
        var row = simulation.Run(faces, 1000, "uniform", [1, 1, 1, 1, 1, 1, 1, 1], model, windows: 10);

        Assert.Equal(0, row.Hard.AgeShareMae, 3);
        Assert.Equal(0, row.Hard.MaleShareMae, 6);
        Assert.InRange(row.Expected.AgeShareMae, 0, 0.001);
        Assert.Equal(0, row.Expected.MaleShareMae, 6);
        Assert.InRange(row.Expected.AgeCoverage!.Value, 0.9, 1);
        Assert.Equal(0, row.Corrected.AgeShareMae, 3);
        Assert.All(model.AgeGroupSystematic, s => Assert.InRange(s, 0, 0.001));
    }

    [Fact]
    public void A_biased_estimator_is_corrected_by_the_confusion_measured_on_the_same_kind_of_people()
    {
        // Everyone looks ten years older and every man is only 70 % sure to be called a man.
        var faces = Faces(age => age + 10, maleProbabilityForMen: 0.7);
        var simulation = new ShareSimulation(Groups, seed: 3);
        var model = simulation.Measure(faces, windows: 50);
        var row = simulation.Run(faces, 1000, "young-heavy", [4, 4, 3, 2, 1, 1, 0.5, 0.3], model, windows: 20);

        Assert.True(row.Expected.AgeShareMae > 0.02, $"the bias should show: {row.Expected.AgeShareMae:P2}");
        Assert.True(row.Corrected.AgeShareMae < row.Expected.AgeShareMae / 2, $"{row.Corrected.AgeShareMae:P2} vs {row.Expected.AgeShareMae:P2}");
        Assert.True(row.Corrected.MaleShareMae <= row.Expected.MaleShareMae + 1e-9);
        Assert.Contains(model.AgeGroupSystematic, s => s > 0.02); // the bias is what the intervals widen for
    }

    [Fact]
    public void The_same_seed_draws_the_same_windows()
    {
        var faces = Faces(age => age + 3);
        SimulationRow Row() => new ShareSimulation(Groups, 7).Run(faces, 20, "uniform", [1, 1, 1, 1, 1, 1, 1, 1],
            AudienceErrorModelFor(faces), windows: 30);

        Assert.Equal(Row(), Row());
    }

    private static Core.Audience.AudienceErrorModel AudienceErrorModelFor(List<PredictedFace> faces) => new ShareSimulation(Groups, 1).Measure(faces, 10);
}

using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;

namespace FaceAge.Core.Tests.Audience;

/// <summary>The systematic terms an error model gives a window's intervals.</summary>
public class AudienceErrorModelTests
{
    private static readonly AgeGroups Groups = new([0, 13, 65]);

    private static AudienceTally Tally(params double[] ages)
    {
        var tally = new AudienceTally(Groups.Names);
        foreach (double age in ages) tally.Add(age, 0.5, 0.5, Groups);
        return tally;
    }

    [Fact]
    public void The_male_term_weighs_each_age_groups_error_by_the_windows_people()
    {
        var model = new AudienceErrorModel
        {
            AgeGroupBounds = [0, 13, 65],
            AgeGroupSystematic = [0.1, 0.1, 0.1],
            MaleSystematic = 0.02,
            MaleSystematicByAgeGroup = [0.10, 0.02, 0.04],
            MaleScale = 0.5,
        };

        Assert.Equal(0.5 * 0.10, model.MaleSystematicFor(Tally(5, 6, 7, 8)), 3);                // children only
        Assert.Equal(0.5 * 0.02, model.MaleSystematicFor(Tally(30, 40)), 3);                    // adults only
        Assert.Equal(0.5 * (0.10 + 0.02) / 2, model.MaleSystematicFor(Tally(5, 40)), 3);        // half and half
        Assert.Equal(0.5 * 0.02, (model with { MaleSystematicByAgeGroup = [] }).MaleSystematicFor(Tally(5, 40)), 6);
    }

    [Fact]
    public void The_age_term_is_the_groups_error_times_the_fitted_scale()
    {
        var model = new AudienceErrorModel { AgeGroupBounds = [0, 13, 65], AgeGroupSystematic = [0.1, 0.2, 0.3], AgeScale = 0.8 };

        Assert.Equal(0.16, model.AgeSystematic(1), 9);
        Assert.Equal(0, model.AgeSystematic(3));
        var wider = AudienceFigures.Expected(Tally(30, 40, 50), model with { AgeScale = 2 }).AgeGroups[1].Estimate;
        var narrower = AudienceFigures.Expected(Tally(30, 40, 50), model).AgeGroups[1].Estimate;
        Assert.True(wider.Low < narrower.Low && wider.Share == narrower.Share, $"{wider} vs {narrower}");
    }

    [Fact]
    public void A_model_file_without_scales_reads_as_unscaled()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "ageGroupBounds": [0, 13, 65], "ageGroupSystematic": [0.1, 0.1, 0.1], "maleSystematic": 0.03 }""");
            var model = AudienceErrorModel.Load(path, [0, 13, 65]);

            Assert.Equal(1, model.AgeScale);
            Assert.Equal(0.03, model.MaleSystematicFor(Tally(30)), 9);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

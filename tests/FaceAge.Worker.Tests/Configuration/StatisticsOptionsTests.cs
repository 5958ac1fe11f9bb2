using FaceAge.Core.Analysis;
using FaceAge.Testing;
using FaceAge.Worker.Configuration;

namespace FaceAge.Worker.Tests.Configuration;

/// <summary>Which error model a window's figures use: the one committed beside the worker's head unless told otherwise.</summary>
public class StatisticsOptionsTests
{
    private static readonly AnalyzerOptions Worker = new PipelineOptions().ApplyTo(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models });

    [Fact]
    public void By_default_the_error_model_beside_the_workers_head_is_used()
    {
        var (model, source) = new StatisticsOptions().ChooseErrorModel(Worker);

        Assert.NotNull(model);
        Assert.Equal(Worker.EffectiveAgeGroups, model.AgeGroupBounds);
        Assert.True(model.CanCorrect);
        Assert.Contains("heads/age-gender-lite.shares.json", source);
    }

    [Fact]
    public void Other_age_groups_or_a_head_without_one_fall_back_to_none_and_say_why()
    {
        var (model, source) = new StatisticsOptions().ChooseErrorModel(Worker with { AgeGroups = [0, 18, 65] });
        Assert.Null(model);
        Assert.Contains("other age groups", source);

        (model, source) = new StatisticsOptions().ChooseErrorModel(Worker with { AgeGenderHead = "heads/age-gender-lite-ccby.onnx" });
        Assert.Null(model);
        Assert.Contains("age-gender-lite-ccby.shares.json does not exist", source);

        Assert.Null(new StatisticsOptions { ErrorModel = "" }.ChooseErrorModel(Worker).Model);
    }

    [Fact]
    public void A_named_error_model_that_is_missing_or_for_other_groups_is_an_error_naming_it()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => new StatisticsOptions { ErrorModel = "heads/nope.shares.json" }.ChooseErrorModel(Worker));
        Assert.Contains("nope.shares.json", missing.Message);

        var other = Assert.Throws<InvalidDataException>(() => new StatisticsOptions { ErrorModel = "heads/age-gender-lite.shares.json" }
            .ChooseErrorModel(Worker with { AgeGroups = [0, 18, 65] }));
        Assert.Contains("age-gender-lite.shares.json", other.Message);
        Assert.Contains("--age-groups", other.Message);
    }
}

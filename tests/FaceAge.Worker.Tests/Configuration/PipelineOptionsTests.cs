using FaceAge.Core.Analysis;
using FaceAge.Worker.Configuration;
using Microsoft.Extensions.Configuration;

namespace FaceAge.Worker.Tests.Configuration;

public class PipelineOptionsTests
{
    private static WorkerSettings Load(params (string Key, string Value)[] values)
    {
        var data = new Dictionary<string, string?>
        {
            ["Cameras:0:Id"] = "cam",
            ["Cameras:0:Url"] = "rtsp://127.0.0.1:8554/cam",
            ["Analysis:AgeGenderModel"] = "faceres-deep.onnx",
            ["Analysis:FlipAugmentation"] = "true",
        };
        foreach (var (k, v) in values) data[k] = v;
        return WorkerSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(data).Build());
    }

    [Fact]
    public void Worker_runs_the_int8_model_without_flip_unless_the_pipeline_section_says_otherwise()
    {
        var settings = Load();
        Assert.Equal("faceres-deep-int8.onnx", settings.Analysis.AgeGenderModel);
        Assert.False(settings.Analysis.FlipAugmentation);
    }

    [Fact]
    public void Pipeline_section_chooses_the_workers_model_and_flip()
    {
        var settings = Load(("Pipeline:AgeGenderModel", "faceres-deep.onnx"), ("Pipeline:FlipAugmentation", "true"));
        Assert.Equal("faceres-deep.onnx", settings.Analysis.AgeGenderModel);
        Assert.True(settings.Analysis.FlipAugmentation);
    }

    [Fact]
    public void The_turn_check_runs_only_while_attention_is_measured()
    {
        Assert.Equal("heads/turn-check.onnx", Load().Analysis.TurnCheck);
        Assert.Equal("", Load(("Attention:Enabled", "false")).Analysis.TurnCheck);
    }

    [Fact]
    public void Empty_worker_model_is_rejected_naming_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Pipeline:AgeGenderModel", " ")));
        Assert.Contains("Pipeline:AgeGenderModel", e.Message);
    }

    [Theory]
    [InlineData("20")]
    [InlineData("101")]
    public void A_machine_cpu_target_outside_30_to_100_is_rejected_naming_the_key(string percent)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Pipeline:MachineCpuTarget", percent)));
        Assert.Contains("Pipeline:MachineCpuTarget", e.Message);
    }

    [Fact]
    public void The_detector_is_paced_above_80_percent_of_the_machine_unless_the_target_is_0()
    {
        Assert.Equal(80, Load().Pipeline.MachineCpuTarget);
        Assert.Equal(0, Load(("Pipeline:MachineCpuTarget", "0")).Pipeline.MachineCpuTarget);
    }

    [Fact]
    public void Other_analysis_settings_pass_through_unchanged()
    {
        var analysis = new AnalyzerOptions { CropMargin = 0.4f, MaleDecisionThreshold = 0.6 };
        var applied = new PipelineOptions().ApplyTo(analysis);
        Assert.Equal(analysis with { AgeGenderModel = "faceres-deep-int8.onnx", AgeGenderHead = "heads/age-gender-lite.onnx", FlipAugmentation = false,
            Inference = analysis.Inference with { IntraOpThreads = 1 } }, applied);
    }

    [Fact]
    public void A_trained_head_set_for_the_worker_replaces_the_analysis_head()
    {
        var applied = new PipelineOptions { AgeGenderHead = "heads/utkface-dev.onnx" }.ApplyTo(new AnalyzerOptions { AgeGenderHead = "heads/other.onnx" });
        Assert.Equal("heads/utkface-dev.onnx", applied.AgeGenderHead);
        Assert.Equal("heads/age-gender-lite.onnx", new PipelineOptions().ApplyTo(new AnalyzerOptions { AgeGenderHead = "heads/other.onnx" }).AgeGenderHead);
    }

    [Fact]
    public void The_worker_runs_the_committed_lighter_head_by_default_and_an_empty_key_means_the_models_own_outputs()
    {
        Assert.Equal("heads/age-gender-lite.onnx", Load().Analysis.AgeGenderHead);
        Assert.Equal("", Load(("Pipeline:AgeGenderHead", "")).Analysis.AgeGenderHead);
    }

    [Fact]
    public void A_head_that_is_not_an_onnx_file_is_refused_naming_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Pipeline:AgeGenderHead", "heads/model.card.json")));
        Assert.Contains("Pipeline:AgeGenderHead", e.Message);
    }
}

using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace FaceAge.Architecture.Tests;

/// <summary>
/// The import rules of docs/architecture.md, checked on the compiled assemblies: which project may use which, the
/// flow of the pipeline inside Core and the worker, transports only at the edge, and no cycles between folders.
/// </summary>
public class ImportRulesTests
{
    private static readonly System.Reflection.Assembly Core = typeof(FaceAge.Core.Analysis.FaceAnalyzer).Assembly;
    private static readonly System.Reflection.Assembly Worker = typeof(FaceAge.Worker.Pipeline.PipelineService).Assembly;
    private static readonly System.Reflection.Assembly Training = typeof(FaceAge.Training.HeadTrainer).Assembly;
    private static readonly System.Reflection.Assembly Models = typeof(FaceAge.Models.Setup.ModelSetup).Assembly;
    private static readonly System.Reflection.Assembly Cli = typeof(FaceAge.Cli.Commands.AnalyzeCommand).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader().LoadAssemblies(Core, Worker, Training, Models, Cli).Build();

    private static IObjectProvider<IType> In(string ns) => Types().That().ResideInNamespaceOrBelow(ns).As(ns);

    private static void MustNotUse(string from, params string[] forbidden)
    {
        foreach (var target in forbidden)
            Types().That().ResideInNamespaceOrBelow(from)
                .Should().NotDependOnAny(In(target)).Because($"{from} comes before {target} (docs/architecture.md)")
                .Check(Architecture);
    }

    [Fact]
    public void The_worker_ships_no_training_evaluation_or_model_conversion()
        => MustNotUse("FaceAge.Worker", "FaceAge.Training", "FaceAge.Models", "FaceAge.Cli");

    [Fact]
    public void Core_is_the_runtime_and_knows_no_tool_or_host()
        => MustNotUse("FaceAge.Core", "FaceAge.Worker", "FaceAge.Training", "FaceAge.Models", "FaceAge.Cli");

    [Fact]
    public void Model_building_and_training_know_no_host()
    {
        MustNotUse("FaceAge.Models", "FaceAge.Worker", "FaceAge.Training", "FaceAge.Cli");
        MustNotUse("FaceAge.Training", "FaceAge.Worker", "FaceAge.Cli");
    }

    [Fact]
    public void Core_reads_as_the_pipeline_each_step_using_only_the_steps_before_it()
    {
        string[] foundations = ["FaceAge.Core.Sources", "FaceAge.Core.Imaging", "FaceAge.Core.Inference", "FaceAge.Core.ModelFiles", "FaceAge.Core.Configuration"];
        foreach (var basis in foundations)
            MustNotUse(basis, "FaceAge.Core.Detection", "FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis");
        MustNotUse("FaceAge.Core.Detection", "FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis");
        MustNotUse("FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis");
        MustNotUse("FaceAge.Core.Estimation", "FaceAge.Core.Tracking", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis");
        MustNotUse("FaceAge.Core.Fusion", "FaceAge.Core.Tracking", "FaceAge.Core.Analysis");
    }

    [Fact]
    public void Worker_stages_know_events_but_no_transport_and_transports_know_no_stage()
    {
        string[] stages = ["FaceAge.Worker.Sources", "FaceAge.Worker.Detection", "FaceAge.Worker.Tracking", "FaceAge.Worker.Estimation", "FaceAge.Worker.Fusion", "FaceAge.Worker.Pipeline"];
        foreach (var stage in stages)
            MustNotUse(stage, "FaceAge.Worker.Sinks", "FaceAge.Worker.Http", "FaceAge.Worker.LiveView", "FaceAge.Worker.Hosting", "FaceAge.Worker.Benchmark");
        foreach (var stage in stages.Prepend("FaceAge.Worker.Configuration"))
            MustNotUse("FaceAge.Worker.Sinks", stage == "FaceAge.Worker.Configuration" ? "FaceAge.Worker.Pipeline" : stage);
        MustNotUse("FaceAge.Worker.Events", "FaceAge.Worker.Pipeline", "FaceAge.Worker.Sinks", "FaceAge.Worker.Detection", "FaceAge.Worker.Tracking", "FaceAge.Worker.Estimation", "FaceAge.Worker.Fusion");
        MustNotUse("FaceAge.Worker.Sinks.Mqtt", "FaceAge.Worker.Sinks.Webhook");
        MustNotUse("FaceAge.Worker.Sinks.Webhook", "FaceAge.Worker.Sinks.Mqtt");
        // The pipeline's steps in order: a stage never reaches back to a later one.
        MustNotUse("FaceAge.Worker.Sources", "FaceAge.Worker.Detection", "FaceAge.Worker.Tracking", "FaceAge.Worker.Estimation", "FaceAge.Worker.Fusion");
        MustNotUse("FaceAge.Worker.Detection", "FaceAge.Worker.Tracking", "FaceAge.Worker.Estimation", "FaceAge.Worker.Fusion");
        MustNotUse("FaceAge.Worker.Tracking", "FaceAge.Worker.Fusion");
        MustNotUse("FaceAge.Worker.Estimation", "FaceAge.Worker.Tracking", "FaceAge.Worker.Fusion");
    }

    [Fact]
    public void Only_the_mqtt_sink_uses_mqtt_and_only_the_http_edge_uses_asp_net()
    {
        Types().That().ResideInAssembly(Worker).And().DoNotResideInNamespace("FaceAge.Worker.Sinks.Mqtt")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceOrBelow("MQTTnet"))
            .Check(Architecture);
    }

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        SliceRuleDefinition.Slices().Matching("FaceAge.Core.(*)").Should().BeFreeOfCycles().Check(Architecture);
        SliceRuleDefinition.Slices().Matching("FaceAge.Worker.(*)").Should().BeFreeOfCycles().Check(Architecture);
        SliceRuleDefinition.Slices().Matching("FaceAge.Models.(*)").Should().BeFreeOfCycles().Check(Architecture);
    }
}

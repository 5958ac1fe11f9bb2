using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace FaceAge.Architecture.Tests;

/// <summary>
/// The import rules of docs/architecture.md, one test per numbered rule, checked on the compiled assemblies: which
/// project may use which, the flow of the pipeline inside Core and the worker, transports only at the edge, and no
/// cycles between folders.
/// </summary>
public class ImportRulesTests
{
    private static readonly System.Reflection.Assembly Core = typeof(FaceAge.Core.Analysis.FaceAnalyzer).Assembly;
    private static readonly System.Reflection.Assembly Worker = typeof(FaceAge.Worker.Pipeline.PipelineService).Assembly;
    private static readonly System.Reflection.Assembly Training = typeof(FaceAge.Training.HeadTrainer).Assembly;
    private static readonly System.Reflection.Assembly Models = typeof(FaceAge.Models.Setup.ModelSetup).Assembly;
    private static readonly System.Reflection.Assembly Cli = typeof(FaceAge.Cli.Commands.AnalyzeCommand).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture Architecture =
        new ArchLoader().LoadAssemblies(Core, Worker, Training, Models, Cli).Build();

    private const string W = "FaceAge.Worker.";
    private static readonly string[] WorkerStages = [W + "Sources", W + "Detection", W + "Tracking", W + "Estimation", W + "Fusion"];
    private static readonly string[] WorkerEdge = [W + "Sinks", W + "Http", W + "LiveView", W + "Reports", W + "Hosting", W + "Benchmark"];

    private static IObjectProvider<IType> In(string ns) => Types().That().ResideInNamespaceOrBelow(ns).As(ns);

    private static void MustNotUse(string from, params string[] forbidden)
    {
        foreach (var target in forbidden)
            Types().That().ResideInNamespaceOrBelow(from)
                .Should().NotDependOnAny(In(target)).Because($"{from} must not use {target} (docs/architecture.md)")
                .Check(Architecture);
    }

    [Fact]
    public void Rule_1_projects_core_is_the_runtime_models_uses_little_of_it_the_worker_ships_no_tool()
    {
        MustNotUse("FaceAge.Core", "FaceAge.Worker", "FaceAge.Training", "FaceAge.Models", "FaceAge.Cli");
        MustNotUse("FaceAge.Models", "FaceAge.Worker", "FaceAge.Training", "FaceAge.Cli");
        // Of Core, Models uses the model-file stamp and (to calibrate the int8 detector) the detector's input preparation.
        string[] restOfCore = ["Sources", "Inference", "Configuration", "Tracking", "Estimation", "Fusion", "Analysis", "Verification"];
        MustNotUse("FaceAge.Models", restOfCore.Select(f => "FaceAge.Core." + f).ToArray());
        MustNotUse("FaceAge.Training", "FaceAge.Worker", "FaceAge.Cli");
        MustNotUse("FaceAge.Worker", "FaceAge.Training", "FaceAge.Models", "FaceAge.Cli");
    }

    [Fact]
    public void Rule_2_core_reads_as_the_pipeline_each_step_using_only_the_steps_before_it()
    {
        string[] foundations = ["FaceAge.Core.Sources", "FaceAge.Core.Imaging", "FaceAge.Core.Inference", "FaceAge.Core.ModelFiles",
            "FaceAge.Core.Configuration"];
        string[] steps = ["FaceAge.Core.Detection", "FaceAge.Core.Alignment", "FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion",
            "FaceAge.Core.Analysis",
            "FaceAge.Core.Verification", "FaceAge.Core.Audience"];
        foreach (var basis in foundations) MustNotUse(basis, steps);
        MustNotUse("FaceAge.Core.Detection", "FaceAge.Core.Alignment", "FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion",
            "FaceAge.Core.Analysis", "FaceAge.Core.Verification");
        MustNotUse("FaceAge.Core.Alignment", "FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis",
            "FaceAge.Core.Verification");
        MustNotUse("FaceAge.Core.Tracking", "FaceAge.Core.Estimation", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis", "FaceAge.Core.Verification");
        MustNotUse("FaceAge.Core.Estimation", "FaceAge.Core.Tracking", "FaceAge.Core.Fusion", "FaceAge.Core.Analysis", "FaceAge.Core.Verification");
        MustNotUse("FaceAge.Core.Fusion", "FaceAge.Core.Tracking", "FaceAge.Core.Analysis", "FaceAge.Core.Verification");
        MustNotUse("FaceAge.Core.Analysis", "FaceAge.Core.Verification");
        MustNotUse("FaceAge.Core.Audience", "FaceAge.Core.Detection", "FaceAge.Core.Alignment", "FaceAge.Core.Tracking", "FaceAge.Core.Fusion",
            "FaceAge.Core.Analysis",
            "FaceAge.Core.Verification");
    }

    [Fact]
    public void Rule_3_worker_foundations_use_no_stage_no_wiring_and_no_edge()
    {
        string[] later = [.. WorkerStages, W + "Events", W + "Pipeline", .. WorkerEdge];
        MustNotUse(W + "Configuration", [.. later, W + "Metrics", W + "Channels"]);
        MustNotUse(W + "Metrics", [.. later, W + "Configuration", W + "Channels"]);
        MustNotUse(W + "Channels", later);
    }

    [Fact]
    public void Rule_4_the_events_are_the_contract_and_know_no_stage_channel_wiring_or_edge()
        => MustNotUse(W + "Events", [.. WorkerStages, W + "Channels", W + "Pipeline", .. WorkerEdge]);

    [Fact]
    public void Rule_5_a_stage_uses_no_other_stage_they_meet_only_through_the_channels()
    {
        foreach (var stage in WorkerStages)
            MustNotUse(stage, [.. WorkerStages.Where(s => s != stage), W + "Pipeline", .. WorkerEdge]);
    }

    [Fact]
    public void Rule_6_the_wiring_knows_the_stages_and_no_edge()
        => MustNotUse(W + "Pipeline", WorkerEdge);

    [Fact]
    public void Rule_7_the_edge_knows_events_and_no_stage_channel_or_wiring_and_the_transports_do_not_know_each_other()
    {
        foreach (var edge in new[] { W + "Sinks", W + "LiveView", W + "Reports", W + "Http" })
            MustNotUse(edge, [.. WorkerStages, W + "Channels", W + "Pipeline"]);
        MustNotUse(W + "Sinks.Mqtt", W + "Sinks.Webhook");
        MustNotUse(W + "Sinks.Webhook", W + "Sinks.Mqtt");
        MustNotUse(W + "Sinks.Outbox", W + "Sinks.Mqtt", W + "Sinks.Webhook");
    }

    [Fact]
    public void Rule_8_only_the_mqtt_sink_uses_mqttnet()
    {
        Types().That().ResideInAssembly(Worker).And().DoNotResideInNamespace("FaceAge.Worker.Sinks.Mqtt")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceOrBelow("MQTTnet"))
            .Check(Architecture);
    }

    [Fact]
    public void Rule_9_no_folder_depends_on_itself_through_others()
    {
        SliceRuleDefinition.Slices().Matching("FaceAge.Core.(*)").Should().BeFreeOfCycles().Check(Architecture);
        SliceRuleDefinition.Slices().Matching("FaceAge.Worker.(*)").Should().BeFreeOfCycles().Check(Architecture);
        SliceRuleDefinition.Slices().Matching("FaceAge.Models.(*)").Should().BeFreeOfCycles().Check(Architecture);
        SliceRuleDefinition.Slices().Matching("FaceAge.Training.(*)").Should().BeFreeOfCycles().Check(Architecture);
    }

    [Fact]
    public void The_rules_checked_here_are_the_rules_docs_architecture_states()
    {
        var doc = File.ReadAllText(Path.Combine(FaceAge.Testing.RepoPaths.Root, "docs", "architecture.md"));
        var stated = System.Text.RegularExpressions.Regex.Matches(doc, @"^(\d+)\. \*\*", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var checkedHere = typeof(ImportRulesTests).GetMethods().Select(m => System.Text.RegularExpressions.Regex.Match(m.Name, @"^Rule_(\d+)_"))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(checkedHere, stated);
    }
}

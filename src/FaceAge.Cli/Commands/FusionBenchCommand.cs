using System.CommandLine;
using System.Globalization;
using System.Text;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench fusion`: does the fused ± of a person mean what it says? Real single-person clips (sample spread
/// against the stated ±, the ρ they imply, and split-half agreement) and labelled photos as tracks of jittered crops
/// (coverage of the fused ± against the truth).
/// </summary>
public static class FusionBenchCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("fusion", "Check the fused age ± on real single-person clips and on labelled faces fused from jittered crops.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <param name="Fps">Samples per second taken from each clip.</param>
    /// <param name="Views">Jittered crops per labelled face.</param>
    /// <param name="Limit">Faces per labelled data set.</param>
    /// <param name="Correlation">ρ the ages of one person are fused with.</param>
    private sealed record FusionBenchArguments(
        AnalyzerOptions Analysis, string[] Videos, double Fps, string[] Labels, CropMode[] Modes, int Views, int Limit, double Correlation, string JsonFile);

    private sealed class Options
    {
        private readonly AnalysisSettings _settings = new();

        private readonly Option<string[]> _videos = new("--videos")
        {
            Description = "Single-person videos.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };

        private readonly Option<double> _fps = new("--fps")
        {
            Description = "Samples per second taken from each clip (the worker's Pipeline:SamplesPerSecondPerTrack).",
            DefaultValueFactory = _ => 2,
        };

        private readonly Option<string[]> _labels = new("--labels")
        {
            Description = "Labelled data sets whose faces are each fused from jittered crops.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };

        private readonly Option<CropMode[]> _mode = new("--mode")
        {
            Description = "Per labelled data set: Aligned or Detect (as eval).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [CropMode.Detect],
        };

        private readonly Option<int> _views = new("--views") { Description = "Jittered crops per labelled face.", DefaultValueFactory = _ => 10 };
        private readonly Option<int> _limit = new("--limit") { Description = "Faces per labelled data set (seeded sample).", DefaultValueFactory = _ => 300 };

        private readonly Option<double?> _correlation = new("--correlation")
        {
            Description = "ρ to fuse with (default: Fusion:AgeErrorCorrelation's default).",
        };

        private readonly Option<string> _json = CommonOptions.JsonSummary("fusion-bench.json");

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _videos, _fps, _labels, _mode, _views, _limit, _correlation, _json }) command.Options.Add(o);
            _settings.AddTo(command);
        }

        public FusionBenchArguments Read(ParseResult parse)
        {
            double rho = parse.GetValue(_correlation) ?? FusionOptions.DefaultAgeErrorCorrelation;
            if (rho is < 0 or > 1) throw new ArgumentException($"--correlation must be in [0, 1], got {rho}.");
            return new FusionBenchArguments(_settings.Load(parse), parse.GetValue(_videos)!, parse.GetValue(_fps), parse.GetValue(_labels)!,
                parse.GetValue(_mode)!, parse.GetValue(_views), parse.GetValue(_limit), rho, parse.GetValue(_json)!);
        }
    }

    private static int Run(FusionBenchArguments arguments)
    {
        double rho = arguments.Correlation;
        using var analyzer = FaceAnalyzer.Create(arguments.Analysis, CliLogging.Factory);
        var output = new StringBuilder();
        var clips = arguments.Videos.Select(v =>
        {
            Console.Error.WriteLine($"fusion: {v}");
            return FusionCheck.Clip(analyzer, v, arguments.Fps, rho);
        }).ToList();
        if (clips.Count > 0) AppendClips(output, clips, arguments.Fps, rho);
        var labelled = arguments.Labels.Length > 0 ? AppendLabelled(output, analyzer, arguments) : [];
        Console.WriteLine(output.ToString().TrimEnd());
        JsonResultsFile.WriteWithNaN(arguments.JsonFile, new { correlation = rho, fps = arguments.Fps, clips, labelled });
        return 0;
    }

    /// <summary>Per clip: the sample spread against the stated ±, the ρ it implies, and how far the two halves' fused ages differ.</summary>
    private static void AppendClips(StringBuilder output, List<ClipFusion> clips, double fps, double rho)
    {
        output.AppendLine(Invariant, $"Real clips ({fps} samples/s, ρ = {rho}):");
        output.AppendLine("| clip | samples | mean age | sample spread (SD) | stated ± (rms) | implied ρ | fused age ± | halves differ by "
            + "| expected SD of that |");
        output.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var k in clips)
        {
            output.AppendLine(Invariant, $"| {k.Clip} | {k.Samples} | {k.MeanAge:0.0} | {k.SampleSpread:0.00} | {k.StatedUncertainty:0.00} "
                + $"| {k.ImpliedCorrelation:0.00} | {k.FusedAge:0.0} ± {k.FusedUncertainty:0.00} | {k.HalfDifference:+0.00;-0.00} "
                + $"| {k.HalfDifferenceSd:0.00} |");
        }
        double pooled = Math.Clamp(
            1 - clips.Average(k => k.SampleSpread * k.SampleSpread) / clips.Average(k => k.StatedUncertainty * k.StatedUncertainty), 0, 1);
        int within = clips.Count(k => Math.Abs(k.HalfDifference) <= k.HalfDifferenceSd);
        output.AppendLine(Invariant, $"pooled implied ρ = 1 − mean(spread²)/mean(stated²) = {pooled:0.000}; "
            + $"halves within their expected SD: {within} of {clips.Count} (≈68 % expected)");
    }

    /// <summary>Per labelled data set: error and coverage of the ± of one crop against those of the fused jittered crops.</summary>
    private static List<object> AppendLabelled(StringBuilder output, FaceAnalyzer analyzer, FusionBenchArguments arguments)
    {
        var labelled = new List<object>();
        var sets = LabeledDataset.Read(arguments.Labels, arguments.Modes, CliErrors.Warning);
        output.AppendLine();
        output.AppendLine(Invariant,
            $"Labelled faces, each fused from {arguments.Views} jittered crops (ρ = {arguments.Correlation}); ± claims {AgeUncertainty.ClaimedCoverage:P0}:");
        output.AppendLine("| data set | faces | one crop: MAE | one crop: ± coverage (mean ±) | fused: MAE | fused: ± coverage (mean ±) |");
        output.AppendLine("|---|---|---|---|---|---|");
        foreach (var set in sets)
        {
            var random = new Random(1);
            var faces = set.Faces.Where(f => f.HasAgeLabel).OrderBy(_ => random.Next()).Take(arguments.Limit).ToList();
            var (fused, single) = FusionCheck.Jittered(analyzer, FaceCropSource.For(set.Mode, analyzer, 1.4f), faces, arguments.Views,
                arguments.Correlation, 7, new ConsoleProgress("fusion " + set.Name, faces.Count).Report);
            var f = AgeGenderMetrics.Compute(fused);
            var s = AgeGenderMetrics.Compute(single);
            output.AppendLine(Invariant, $"| {set.Name} | {fused.Count} | {Error(s)} | {Coverage(s)} | {Error(f)} | {Coverage(f)} |");
            labelled.Add(new { dataset = set.Name, faces = fused.Count, single = s, fused = f });
        }
        return labelled;
    }

    private static string Error(AgeGenderMetrics m) => m.HasAges ? m.Mae.ToString("0.00", Invariant) : $"interval {m.IntervalMae?.ToString("0.00", Invariant)}";

    private static string Coverage(AgeGenderMetrics m)
        => $"{(m.Coverage ?? m.GroupCoverage)?.ToString("P1", Invariant)}{(m.Coverage is null ? " of groups" : "")} "
            + $"(±{m.MeanUncertainty?.ToString("0.0", Invariant)})";
}

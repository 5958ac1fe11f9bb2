using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
    public static Command Create()
    {
        var settings = new AnalysisSettings();
        var videos = new Option<string[]>("--videos") { Description = "Single-person videos.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var fps = new Option<double>("--fps") { Description = "Samples per second taken from each clip (the worker's Pipeline:SamplesPerSecondPerTrack).", DefaultValueFactory = _ => 2 };
        var labels = new Option<string[]>("--labels") { Description = "Labelled data sets whose faces are each fused from jittered crops.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var mode = new Option<CropMode[]>("--mode") { Description = "Per labelled data set: Aligned or Detect (as eval).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [CropMode.Detect] };
        var views = new Option<int>("--views") { Description = "Jittered crops per labelled face.", DefaultValueFactory = _ => 10 };
        var limit = new Option<int>("--limit") { Description = "Faces per labelled data set (seeded sample).", DefaultValueFactory = _ => 300 };
        var correlation = new Option<double?>("--correlation") { Description = "ρ to fuse with (default: Fusion:AgeErrorCorrelation's default)." };
        var json = new Option<string>("--json") { Description = "Where to write the JSON summary.", DefaultValueFactory = _ => "fusion-bench.json" };
        var command = new Command("fusion", "Check the fused age ± on real single-person clips and on labelled faces fused from jittered crops.");
        foreach (var o in new Option[] { videos, fps, labels, mode, views, limit, correlation, json }) command.Options.Add(o);
        settings.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            double rho = parse.GetValue(correlation) ?? FusionOptions.DefaultAgeErrorCorrelation;
            if (rho is < 0 or > 1) throw new ArgumentException($"--correlation must be in [0, 1], got {rho}.");
            using var analyzer = FaceAnalyzer.Create(settings.Load(parse), CliLogging.Factory);
            var c = CultureInfo.InvariantCulture;
            var output = new StringBuilder();
            var clips = parse.GetValue(videos)!.Select(v => { Console.Error.WriteLine($"fusion: {v}"); return FusionCheck.Clip(analyzer, v, parse.GetValue(fps), rho); }).ToList();
            if (clips.Count > 0)
            {
                output.AppendLine(c, $"Real clips ({parse.GetValue(fps)} samples/s, ρ = {rho}):");
                output.AppendLine("| clip | samples | mean age | sample spread (SD) | stated ± (rms) | implied ρ | fused age ± | halves differ by | expected SD of that |");
                output.AppendLine("|---|---|---|---|---|---|---|---|---|");
                foreach (var k in clips)
                    output.AppendLine(c, $"| {k.Clip} | {k.Samples} | {k.MeanAge:0.0} | {k.SampleSpread:0.00} | {k.StatedUncertainty:0.00} | {k.ImpliedCorrelation:0.00} | {k.FusedAge:0.0} ± {k.FusedUncertainty:0.00} | {k.HalfDifference:+0.00;-0.00} | {k.HalfDifferenceSd:0.00} |");
                double pooled = Math.Clamp(1 - clips.Average(k => k.SampleSpread * k.SampleSpread) / clips.Average(k => k.StatedUncertainty * k.StatedUncertainty), 0, 1);
                int within = clips.Count(k => Math.Abs(k.HalfDifference) <= k.HalfDifferenceSd);
                output.AppendLine(c, $"pooled implied ρ = 1 − mean(spread²)/mean(stated²) = {pooled:0.000}; halves within their expected SD: {within} of {clips.Count} (≈68 % expected)");
            }
            var labelled = new List<object>();
            if (parse.GetValue(labels)!.Length > 0)
            {
                var sets = LabeledDataset.Read(parse.GetValue(labels)!, parse.GetValue(mode)!, w => Console.Error.WriteLine($"warning: {w}"));
                output.AppendLine();
                output.AppendLine(c, $"Labelled faces, each fused from {parse.GetValue(views)} jittered crops (ρ = {rho}); ± claims {AgeUncertainty.ClaimedCoverage:P0}:");
                output.AppendLine("| data set | faces | one crop: MAE | one crop: ± coverage (mean ±) | fused: MAE | fused: ± coverage (mean ±) |");
                output.AppendLine("|---|---|---|---|---|---|");
                foreach (var set in sets)
                {
                    var random = new Random(1);
                    var faces = set.Faces.Where(f => f.HasAgeLabel).OrderBy(_ => random.Next()).Take(parse.GetValue(limit)).ToList();
                    var (fused, single) = FusionCheck.Jittered(analyzer, FaceCropSource.For(set.Mode, analyzer, 1.4f), faces, parse.GetValue(views), rho, 7,
                        new ConsoleProgress("fusion " + set.Name, faces.Count).Report);
                    var f = AgeGenderMetrics.Compute(fused);
                    var s = AgeGenderMetrics.Compute(single);
                    string Err(AgeGenderMetrics m) => m.HasAges ? m.Mae.ToString("0.00", c) : $"interval {m.IntervalMae?.ToString("0.00", c)}";
                    string Cov(AgeGenderMetrics m) => $"{(m.Coverage ?? m.GroupCoverage)?.ToString("P1", c)}{(m.Coverage is null ? " of groups" : "")} (±{m.MeanUncertainty?.ToString("0.0", c)})";
                    output.AppendLine(c, $"| {set.Name} | {fused.Count} | {Err(s)} | {Cov(s)} | {Err(f)} | {Cov(f)} |");
                    labelled.Add(new { dataset = set.Name, faces = fused.Count, single = s, fused = f });
                }
            }
            Console.WriteLine(output.ToString().TrimEnd());
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(new { correlation = rho, fps = parse.GetValue(fps), clips, labelled },
                new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }));
        return command;
    }
}

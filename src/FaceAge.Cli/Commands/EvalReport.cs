using System.Globalization;
using System.Text;
using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>
/// The report folder of `faceage eval --report`: report.md with the metrics of each configuration side
/// by side, and PNG plots (ScottPlot) — predicted vs true age, MAE by decade, gender probability calibration.
/// </summary>
public static class EvalReport
{
    public sealed record Run(string Name, AgeGenderMetrics Metrics, IReadOnlyList<Prediction> Predictions);

    public static void Write(string folder, string labels, IReadOnlyList<Run> runs)
    {
        Directory.CreateDirectory(folder);
        var md = new StringBuilder();
        md.AppendLine("# FaceAge evaluation").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Labels: `{labels}`. Written by `faceage eval --report`.").AppendLine();
        md.AppendLine(Table(runs)).AppendLine();

        md.AppendLine("## MAE per decade").AppendLine();
        var decades = runs.SelectMany(r => r.Metrics.ByDecade.Select(d => d.Decade)).Distinct().OrderBy(d => int.Parse(d.Split('-')[0], CultureInfo.InvariantCulture)).ToList();
        md.AppendLine($"| decade | n | {string.Join(" | ", runs.Select(r => $"{r.Name} MAE | {r.Name} signed"))} |");
        md.AppendLine($"|---|---|{string.Concat(runs.Select(_ => "---|---|"))}");
        foreach (var decade in decades)
        {
            var cells = runs.Select(r => r.Metrics.ByDecade.FirstOrDefault(d => d.Decade == decade) is { } d ? $"{d.Mae:0.00} | {d.MeanSignedError:+0.00;-0.00}" : "– | –");
            int n = runs[0].Metrics.ByDecade.FirstOrDefault(d => d.Decade == decade)?.N ?? 0;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {decade} | {n} | {string.Join(" | ", cells)} |");
        }
        md.AppendLine();

        PredictedVsTrue(Path.Combine(folder, "predicted-vs-true.png"), runs);
        MaeByDecade(Path.Combine(folder, "mae-by-decade.png"), runs, decades);
        GenderCalibration(Path.Combine(folder, "gender-calibration.png"), runs);
        md.AppendLine("## Plots").AppendLine();
        md.AppendLine("![predicted vs true age](predicted-vs-true.png)").AppendLine();
        md.AppendLine("![MAE by decade](mae-by-decade.png)").AppendLine();
        md.AppendLine("Gender calibration: faces binned by predicted P(male); the share that really is male in each bin. A calibrated model lies on the diagonal.").AppendLine();
        md.AppendLine("![gender probability calibration](gender-calibration.png)");
        File.WriteAllText(Path.Combine(folder, "report.md"), md.ToString());
    }

    /// <summary>The headline metrics as a Markdown table, one column per configuration.</summary>
    public static string Table(IReadOnlyList<Run> runs)
    {
        var rows = new List<(string Name, Func<AgeGenderMetrics, string> Value)>
        {
            ("n", m => m.N.ToString(CultureInfo.InvariantCulture)),
            ("misses", m => m.Misses.ToString(CultureInfo.InvariantCulture)),
            ("age MAE", m => m.Mae.ToString("0.00", CultureInfo.InvariantCulture)),
            ("age RMSE", m => m.Rmse.ToString("0.00", CultureInfo.InvariantCulture)),
            ("age R²", m => m.R2.ToString("0.000", CultureInfo.InvariantCulture)),
            ("CS@5", m => m.CumulativeScore5.ToString("P1", CultureInfo.InvariantCulture)),
            ("mean signed error", m => m.MeanSignedError.ToString("+0.00;-0.00", CultureInfo.InvariantCulture)),
            ("gender accuracy", m => double.IsNaN(m.GenderAccuracy) ? "–" : m.GenderAccuracy.ToString("P1", CultureInfo.InvariantCulture)),
            ("women called men", m => m.ByGender.FirstOrDefault(g => g.Gender == "female")?.ErrorRate.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
            ("men called women", m => m.ByGender.FirstOrDefault(g => g.Gender == "male")?.ErrorRate.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
            ("age group accuracy", m => m.AgeGroupAccuracy?.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
        };
        var sb = new StringBuilder();
        sb.AppendLine($"| metric | {string.Join(" | ", runs.Select(r => r.Name))} |");
        sb.AppendLine($"|---|{string.Concat(runs.Select(_ => "---|"))}");
        foreach (var (name, value) in rows) sb.AppendLine($"| {name} | {string.Join(" | ", runs.Select(r => value(r.Metrics)))} |");
        return sb.ToString().TrimEnd();
    }

    private static void PredictedVsTrue(string path, IReadOnlyList<Run> runs)
    {
        var plot = new ScottPlot.Plot();
        foreach (var run in runs)
        {
            var aged = run.Predictions.Where(p => p.TrueAge is not null).ToList();
            var points = plot.Add.ScatterPoints(aged.Select(p => p.TrueAge!.Value).ToArray(), aged.Select(p => p.PredictedAge).ToArray());
            points.MarkerSize = 2;
            points.LegendText = run.Name;
        }
        plot.Add.Line(0, 0, 100, 100).LegendText = "predicted = true";
        Save(plot, path, "Predicted vs true age", "true age", "predicted age", 900, 700);
    }

    private static void MaeByDecade(string path, IReadOnlyList<Run> runs, List<string> decades)
    {
        var plot = new ScottPlot.Plot();
        double width = 0.8 / runs.Count;
        for (int r = 0; r < runs.Count; r++)
        {
            var bars = decades.Select((d, i) => new ScottPlot.Bar
            {
                Position = i + (r - (runs.Count - 1) / 2.0) * width,
                Value = runs[r].Metrics.ByDecade.FirstOrDefault(x => x.Decade == d)?.Mae ?? 0,
                Size = width,
            }).ToArray();
            var series = plot.Add.Bars(bars);
            series.LegendText = runs[r].Name;
            series.Color = ScottPlot.Palette.Default.GetColor(r);
            foreach (var bar in series.Bars) bar.FillColor = ScottPlot.Palette.Default.GetColor(r);
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, decades.Count).Select(i => (double)i).ToArray(), decades.ToArray());
        plot.Axes.Margins(bottom: 0);
        Save(plot, path, "Age MAE by decade", "true age (decade)", "MAE (years)", 900, 600);
    }

    private static void GenderCalibration(string path, IReadOnlyList<Run> runs)
    {
        var plot = new ScottPlot.Plot();
        foreach (var run in runs)
        {
            var gendered = run.Predictions.Where(p => p.TrueGender is not null).ToList();
            var bins = gendered.GroupBy(p => Math.Min(9, (int)(p.MaleProbability * 10))).OrderBy(g => g.Key).ToList();
            var line = plot.Add.Scatter(bins.Select(b => b.Average(p => p.MaleProbability)).ToArray(),
                bins.Select(b => b.Count(p => p.TrueGender == Gender.Male) / (double)b.Count()).ToArray());
            line.LegendText = run.Name;
        }
        plot.Add.Line(0, 0, 1, 1).LegendText = "calibrated";
        Save(plot, path, "Gender probability calibration", "predicted P(male)", "share really male", 700, 700);
    }

    private static void Save(ScottPlot.Plot plot, string path, string title, string xLabel, string yLabel, int width, int height)
    {
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Title(title);
        plot.ShowLegend();
        plot.SavePng(path, width, height);
    }
}

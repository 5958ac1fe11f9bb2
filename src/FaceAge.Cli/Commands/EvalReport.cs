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

    /// <summary>
    /// Writes report.md and the plots of every data set (one section each; plot files prefixed by the data set's name when there are several).
    /// </summary>
    public static void Write(string folder, IReadOnlyList<(string Name, string Labels, IReadOnlyList<Run> Runs)> datasets)
    {
        Directory.CreateDirectory(folder);
        var md = new StringBuilder();
        md.AppendLine("# FaceAge evaluation").AppendLine();
        md.AppendLine("Written by `faceage eval --report`.").AppendLine();
        if (datasets.Count > 1) md.AppendLine(CrossDatasetTable(datasets.Select(d => (d.Name, d.Runs)).ToList())).AppendLine();
        foreach (var (name, labels, runs) in datasets)
        {
            string prefix = datasets.Count > 1 ? name + "-" : "";
            if (datasets.Count > 1) md.AppendLine(CultureInfo.InvariantCulture, $"## {name}").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Labels: `{labels}`.").AppendLine();
            md.AppendLine(Table(runs)).AppendLine();
            if (runs[0].Metrics.HasAges) AppendDecades(md, folder, prefix, runs);
            if (runs[0].Metrics.ByAgeGroup.Count > 0) AppendAgeGroups(md, runs);
            if (runs[0].Metrics.HasGender)
            {
                GenderCalibration(Path.Combine(folder, prefix + "gender-calibration.png"), runs);
                md.AppendLine("Gender calibration: faces binned by predicted P(male); the share that really is male in each bin. "
                    + "A calibrated model lies on the diagonal.").AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"![gender probability calibration]({prefix}gender-calibration.png)").AppendLine();
            }
        }
        File.WriteAllText(Path.Combine(folder, "report.md"), md.ToString());
    }

    /// <summary>MAE per decade: the table, and the plots of predicted vs true age and of MAE by decade.</summary>
    private static void AppendDecades(StringBuilder md, string folder, string prefix, IReadOnlyList<Run> runs)
    {
        md.AppendLine("### MAE per decade").AppendLine();
        var decades = runs.SelectMany(r => r.Metrics.ByDecade.Select(d => d.Decade)).Distinct()
            .OrderBy(d => int.Parse(d.Split('-')[0], CultureInfo.InvariantCulture)).ToList();
        md.AppendLine(CultureInfo.InvariantCulture, $"| decade | n | {string.Join(" | ", runs.Select(r => $"{r.Name} MAE | {r.Name} signed"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"|---|---|{string.Concat(runs.Select(_ => "---|---|"))}");
        foreach (var decade in decades)
        {
            var cells = runs.Select(r => r.Metrics.ByDecade.FirstOrDefault(d => d.Decade == decade) is { } d
                ? $"{d.Mae:0.00} | {d.MeanSignedError:+0.00;-0.00}"
                : "– | –");
            int n = runs[0].Metrics.ByDecade.FirstOrDefault(d => d.Decade == decade)?.N ?? 0;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {decade} | {n} | {string.Join(" | ", cells)} |");
        }
        md.AppendLine();
        PredictedVsTrue(Path.Combine(folder, prefix + "predicted-vs-true.png"), runs);
        MaeByDecade(Path.Combine(folder, prefix + "mae-by-decade.png"), runs, decades);
        md.AppendLine(CultureInfo.InvariantCulture, $"![predicted vs true age]({prefix}predicted-vs-true.png)").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"![MAE by decade]({prefix}mae-by-decade.png)").AppendLine();
    }

    /// <summary>Hits and interval MAE per age group (the labels' own groups).</summary>
    private static void AppendAgeGroups(StringBuilder md, IReadOnlyList<Run> runs)
    {
        md.AppendLine("### Per age group (the labels' own groups)").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| group | n | {string.Join(" | ", runs.Select(r => $"{r.Name} hit | {r.Name} interval MAE"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"|---|---|{string.Concat(runs.Select(_ => "---|---|"))}");
        foreach (var group in runs[0].Metrics.ByAgeGroup)
        {
            var cells = runs.Select(r => r.Metrics.ByAgeGroup.FirstOrDefault(g => g.Group == group.Group) is { } g
                ? $"{g.Hit:P1} | {g.IntervalMae:0.00}"
                : "– | –");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {group.Group} | {group.N} | {string.Join(" | ", cells)} |");
        }
        md.AppendLine();
    }

    /// <summary>One row per data set and configuration: the figures each data set's labels allow ("–" where they do not).</summary>
    public static string CrossDatasetTable(IReadOnlyList<(string Name, IReadOnlyList<Run> Runs)> datasets)
    {
        static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        static string P(double? v) => v is { } x && !double.IsNaN(x) ? x.ToString("P1", CultureInfo.InvariantCulture) : "–";
        var sb = new StringBuilder();
        sb.AppendLine("| data set | configuration | faces | misses | age MAE | CS@5 | signed | 0-12 signed | group hit | interval MAE | gender "
            + "| ± coverage (mean ±) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, runs) in datasets)
            foreach (var run in runs)
            {
                var m = run.Metrics;
                string meanUncertainty = $"±{m.MeanUncertainty?.ToString("0.0", CultureInfo.InvariantCulture)}";
                string coverage = m.Coverage is { } c ? $"{c.ToString("P1", CultureInfo.InvariantCulture)} ({meanUncertainty})"
                    : m.GroupCoverage is { } g ? $"{g.ToString("P1", CultureInfo.InvariantCulture)} of groups ({meanUncertainty})" : "–";
                string intervalMae = m.IntervalMae is { } im ? im.ToString("0.00", CultureInfo.InvariantCulture) : "–";
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {run.Name} | {m.Scored} | {m.Misses} | {F(m.Mae, "0.00")} | {P(m.HasAges ? m.CumulativeScore5 : null)} "
                    + $"| {F(m.MeanSignedError, "+0.00;-0.00")} | {F(m.ChildrenSignedError, "+0.00;-0.00")} | {P(m.AgeGroupAccuracy)} | {intervalMae} "
                    + $"| {P(m.HasGender ? m.GenderAccuracy : null)} | {coverage} |");
            }
        return sb.ToString().TrimEnd();
    }

    /// <summary>The headline metrics as a Markdown table, one column per configuration.</summary>
    public static string Table(IReadOnlyList<Run> runs)
    {
        static string Num(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        var rows = new List<(string Name, Func<AgeGenderMetrics, string> Value)>
        {
            ("faces", m => m.Scored.ToString(CultureInfo.InvariantCulture)),
            ("misses", m => m.Misses.ToString(CultureInfo.InvariantCulture)),
            ("age MAE", m => Num(m.Mae, "0.00")),
            ("age RMSE", m => Num(m.Rmse, "0.00")),
            ("age R²", m => Num(m.R2, "0.000")),
            ("CS@5", m => Num(m.CumulativeScore5, "P1")),
            ("mean signed error", m => Num(m.MeanSignedError, "+0.00;-0.00")),
            ("gender accuracy", m => Num(m.GenderAccuracy, "P1")),
            ("women called men", m => m.ByGender.FirstOrDefault(g => g.Gender == "female")?.ErrorRate.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
            ("men called women", m => m.ByGender.FirstOrDefault(g => g.Gender == "male")?.ErrorRate.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
            ("age group hit", m => m.AgeGroupAccuracy?.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
            ("interval MAE", m => m.IntervalMae?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–"),
            ("± coverage", m => m.Coverage?.ToString("P1", CultureInfo.InvariantCulture) ?? "–"),
        };
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| metric | {string.Join(" | ", runs.Select(r => r.Name))} |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---|"))}");
        foreach (var (name, value) in rows)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", runs.Select(r => value(r.Metrics)))} |");
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

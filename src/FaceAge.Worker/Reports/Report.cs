using System.Globalization;
using System.Text;
using System.Text.Json;
using FaceAge.Core.Audience;
using FaceAge.Worker.Events;

namespace FaceAge.Worker.Reports;

/// <summary>One bucket of a report: its windows' totals added up, and what they say (expected shares with intervals, hard counts).</summary>
public sealed record ReportRow(
    DateTimeOffset Start, DateTimeOffset End, string Camera, int Windows, int People, double? MeanDwellSeconds, AudienceTally Audience,
    AudienceFigures Expected, AudienceFigures? Corrected);

/// <summary>
/// A report over stored windows: per hour or day (UTC) the windows that started in it added up (their sums add: people are
/// independent), their figures made as a window's are (<see cref="AudienceFigures"/>), written as JSON or CSV. Buckets
/// without a window are left out.
/// </summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new(EventJson.Options) { WriteIndented = true };

    public static IReadOnlyList<ReportRow> Build(ReportStore store, ReportRequest request, AudienceErrorModel errors, bool corrected)
    {
        var rows = new List<ReportRow>();
        var windows = store.Windows(request.From, request.To, request.Camera);
        // Windows of other age groups (a changed setting) make buckets of their own.
        foreach (var bucket in windows.GroupBy(w => (Start: request.BucketOf(w.Start), Groups: string.Join('|', w.Audience.Groups))).OrderBy(b => b.Key.Start))
        {
            var list = bucket.ToList();
            var total = new AudienceTally(list[0].Audience.Groups);
            foreach (var w in list) total.Add(w.Audience);
            double dwellPeople = list.Where(w => w.MeanDwellSeconds is not null).Sum(w => w.Audience.People);
            double? dwell = dwellPeople > 0
                ? Math.Round(list.Where(w => w.MeanDwellSeconds is not null).Sum(w => w.MeanDwellSeconds!.Value * w.Audience.People) / dwellPeople, 1)
                : null;
            var model = errors.AgeGroupBounds.Length == total.Groups.Count ? errors : AudienceErrorModel.None(new int[total.Groups.Count]);
            rows.Add(new ReportRow(bucket.Key.Start, bucket.Key.Start + request.BucketLength, request.Camera ?? "all", list.Count, total.People, dwell, total,
                AudienceFigures.Expected(total, model), corrected && model.CanCorrect ? AudienceFigures.Corrected(total, model) : null));
        }
        return rows;
    }

    public static string ToJson(ReportRequest request, IReadOnlyList<ReportRow> rows) => JsonSerializer.Serialize(new
    {
        camera = request.Camera ?? "all",
        from = request.From,
        to = request.To,
        bucket = request.Bucket.ToString().ToLowerInvariant(),
        rows = rows.Select(r => new
        {
            start = r.Start,
            end = r.End,
            windows = r.Windows,
            people = r.People,
            meanDwellSeconds = r.MeanDwellSeconds,
            counts = Enumerable.Range(0, r.Audience.Groups.Count).ToDictionary(g => r.Audience.Groups[g], g => new
            {
                female = r.Audience.HardCount(g, male: false),
                male = r.Audience.HardCount(g, male: true),
            }),
            expected = EventJson.Figures(r.Expected),
            corrected = r.Corrected is { } c ? EventJson.Figures(c) : null,
        }),
    }, Json);

    /// <summary>One line per bucket: its people, then per age group and gender the expected count, share, interval and hard count.</summary>
    public static string ToCsv(IReadOnlyList<ReportRow> rows)
    {
        var c = CultureInfo.InvariantCulture;
        var csv = new StringBuilder();
        var groups = rows.Count > 0 ? rows[0].Audience.Groups : [];
        var header = new List<string> { "start", "end", "camera", "windows", "people", "mean_dwell_seconds" };
        foreach (var g in groups) header.AddRange([$"{g}_expected", $"{g}_share", $"{g}_low", $"{g}_high", $"{g}_hard"]);
        foreach (var s in new[] { "female", "male" }) header.AddRange([$"{s}_expected", $"{s}_share", $"{s}_low", $"{s}_high", $"{s}_hard"]);
        csv.AppendLine(string.Join(',', header));
        foreach (var r in rows)
        {
            var cells = new List<string>
            {
                r.Start.ToString("O", c), r.End.ToString("O", c), r.Camera, r.Windows.ToString(c), r.People.ToString(c),
                r.MeanDwellSeconds?.ToString("0.0", c) ?? "",
            };
            var figures = r.Corrected ?? r.Expected;
            for (int g = 0; g < figures.AgeGroups.Count; g++) cells.AddRange(Cells(figures.AgeGroups[g].Estimate, r.Audience.HardAgeCount(g)));
            cells.AddRange(Cells(figures.Female, r.People - r.Audience.HardMen));
            cells.AddRange(Cells(figures.Male, r.Audience.HardMen));
            csv.AppendLine(string.Join(',', cells));
        }
        return csv.ToString();

        IEnumerable<string> Cells(ShareEstimate e, int hard)
            => [e.Count.ToString("0.00", c), e.Share.ToString("0.000", c), e.Low.ToString("0.000", c), e.High.ToString("0.000", c), hard.ToString(c)];
    }
}

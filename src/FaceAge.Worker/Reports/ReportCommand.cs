using System.CommandLine;
using FaceAge.Core.Audience;
using FaceAge.Core.Configuration;
using FaceAge.Core.Estimation;
using FaceAge.Worker.Configuration;

namespace FaceAge.Worker.Reports;

/// <summary>
/// `faceage-worker report`: the report of GET /api/report from the report store on disk, without a running worker (the
/// store is the worker's settings' Reports:Path, or the file given).
/// </summary>
public static class ReportCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var camera = new Option<string?>("--camera") { Description = "One camera's windows (default: all cameras summed)." };
        var from = new Option<string?>("--from") { Description = "Start (ISO 8601; default: a day before --to for hours, 31 days for days)." };
        var to = new Option<string?>("--to") { Description = "End (ISO 8601; default: now)." };
        var bucket = new Option<string?>("--bucket") { Description = "hour (default) or day (UTC)." };
        var format = new Option<string?>("--format") { Description = "json (default) or csv." };
        var store = new Option<string?>("--store")
        {
            Description = "The report database (default: the settings' Reports:Path, or reports.db beside the outbox).",
        };
        var config = new Option<string?>("--config") { Description = "Settings file (default: appsettings.json in the current folder or above)." };
        var command = new RootCommand("faceage-worker report: age, gender and dwell per hour or day from the worker's report store.");
        foreach (var o in new Option[] { camera, from, to, bucket, format, store, config }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var settings = Settings(parse.GetValue(config));
                var request = ReportRequest.Parse(parse.GetValue(camera), parse.GetValue(from), parse.GetValue(to), parse.GetValue(bucket),
                    parse.GetValue(format), DateTimeOffset.UtcNow);
                var path = parse.GetValue(store) ?? settings.Reports.ResolvedPath(settings.Outbox);
                if (path != ":memory:" && !File.Exists(path)) throw new FileNotFoundException($"no report store at {path} (Reports:Path)", path);
                using var reports = new ReportStore(path, settings.Reports.Retention, settings.Reports.MaxWindows);
                var errors = settings.Statistics.LoadErrorModel(settings.Analysis)
                    ?? AudienceErrorModel.None(new AgeGroups(settings.Analysis.EffectiveAgeGroups).LowerBounds);
                var rows = Report.Build(reports, request, errors, settings.Statistics.Correct);
                Console.Write(request.Format == ReportFormat.Csv ? Report.ToCsv(rows) : Report.ToJson(request, rows) + Environment.NewLine);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or ConfigurationException)
            {
                Console.Error.WriteLine($"report: {e.Message}");
                return 1;
            }
        });
        return await command.Parse(args).InvokeAsync();
    }

    private static WorkerSettings Settings(string? file)
    {
        var settingsFile = file ?? SettingsFile.Find();
        var builder = new ConfigurationBuilder();
        if (settingsFile is not null)
        {
            if (!File.Exists(settingsFile)) throw new FileNotFoundException($"--config {settingsFile} not found.", settingsFile);
            builder.AddJsonFile(Path.GetFullPath(settingsFile), optional: false);
        }
        return WorkerSettings.Load(builder.AddEnvironmentVariables("FACEAGE_").Build(), validate: false);
    }
}

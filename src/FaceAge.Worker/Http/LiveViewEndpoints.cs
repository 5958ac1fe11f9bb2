using System.Security.Cryptography;
using System.Text;
using FaceAge.Worker.LiveView;
using FaceAge.Worker.Reports;

namespace FaceAge.Worker.Http;

/// <summary>
/// The local web page: GET / (the page), /api/live (cameras, counters), /api/cameras/{id}/preview.jpg and, with the
/// report store, /api/report. With LiveView:AccessToken set, each request needs the token.
/// </summary>
public static class LiveViewEndpoints
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(LiveViewEndpoints).Assembly.GetManifestResourceStream("FaceAge.Worker.Http.live.html")
                           ?? throw new InvalidOperationException("live.html is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    });

    public static void Map(WebApplication app, LiveViewState state, bool blurFaces, ReportSink? reports = null)
    {
        var token = state.Options.AccessToken;
        var group = app.MapGroup("");
        group.AddEndpointFilter(async (context, next) =>
            token is null || Authorized(context.HttpContext.Request, token) ? await next(context) : Results.Unauthorized());

        group.MapGet("/", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
        group.MapGet("/api/live", () => Results.Json(new
        {
            summary = state.Snapshot(),
            blurFaces,
        }));
        group.MapGet("/api/cameras/{id}/preview.jpg", (string id, HttpResponse response) =>
        {
            response.Headers.CacheControl = "no-store";
            return state.RenderPreview(id, blurFaces) is { } jpeg ? Results.File(jpeg, "image/jpeg") : Results.NotFound();
        });
        if (reports is not null) group.MapGet("/api/report", (HttpRequest request) => Report(request, reports));
    }

    /// <summary>GET /api/report?camera=&amp;from=&amp;to=&amp;bucket=hour|day&amp;format=json|csv; a bad parameter is a 400 that names it.</summary>
    private static IResult Report(HttpRequest request, ReportSink reports)
    {
        ReportRequest parsed;
        try
        {
            string? Get(string name) => request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
            parsed = ReportRequest.Parse(Get("camera"), Get("from"), Get("to"), Get("bucket"), Get("format"), DateTimeOffset.UtcNow);
        }
        catch (ReportParameterException e)
        {
            return Results.BadRequest(new { error = e.Message, parameter = e.Parameter });
        }
        var rows = reports.Report(parsed);
        return parsed.Format == ReportFormat.Csv
            ? Results.Text(Reports.Report.ToCsv(rows), "text/csv; charset=utf-8")
            : Results.Text(Reports.Report.ToJson(parsed, rows), "application/json; charset=utf-8");
    }

    private static bool Authorized(HttpRequest request, string token)
    {
        string? given = request.Query["token"];
        if (given is null && request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal))
            given = auth["Bearer ".Length..];
        // Constant-time comparison: response timing must not reveal how much of a guess was right.
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
    }
}

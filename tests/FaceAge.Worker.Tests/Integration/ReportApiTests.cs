using System.Net;
using System.Text.Json;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>
/// The report store on the real worker: windows kept as they end, GET /api/report in JSON and CSV with their intervals, a bad
/// parameter answered 400 naming it, nothing finished lost when the worker is killed and started again, and the same
/// report offline from `faceage-worker report`.
/// </summary>
public class ReportApiTests
{
    private static async Task<JsonElement[]> Rows(HttpClient http)
    {
        var json = JsonDocument.Parse(await http.GetStringAsync("/api/report?bucket=hour&camera=lobby")).RootElement;
        return json.GetProperty("rows").EnumerateArray().ToArray();
    }

    private static int People(JsonElement[] rows) => rows.Sum(r => r.GetProperty("people").GetInt32());

    [Fact]
    public async Task Finished_windows_are_reported_per_hour_survive_a_kill_and_a_bad_parameter_is_named()
    {
        // sample3 (3 women) and sample6 (4 women), looped with gaps: people leave every few seconds, windows are 5 s.
        var video = TestVideos.FromPhotos(["sample3.jpg", "sample6.jpg"], seconds: 3, gap: 1);
        using var worker = WorkerProcess.Start([new { Id = "lobby", Url = video, Loop = true, MaxFps = 10 }], Ports.Free(), embeddedBroker: true);
        await Ports.WaitOpenAsync(worker.HttpPort, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{worker.HttpPort}") };

        JsonElement[] rows = [];
        for (int i = 0; i < 120 && People(rows) < 5; i++)
        {
            await Task.Delay(1000);
            rows = await Rows(http);
        }
        int before = People(rows);
        Assert.True(before >= 5, $"only {before} people reported: {worker.Process.Output[^Math.Min(2000, worker.Process.Output.Length)..]}");
        var male = rows[^1].GetProperty("expected").GetProperty("gender").GetProperty("male");
        // The sample faces are women: the expected share of men is small, inside its interval, and the interval is a real range.
        Assert.InRange(male.GetProperty("share").GetDouble(), 0, 0.3);
        Assert.True(male.GetProperty("low").GetDouble() <= male.GetProperty("share").GetDouble());
        Assert.True(male.GetProperty("high").GetDouble() > male.GetProperty("share").GetDouble());

        var csv = await http.GetStringAsync("/api/report?bucket=day&format=csv");
        Assert.StartsWith("start,end,camera,windows,people,mean_dwell_seconds,0-12_expected,0-12_share,0-12_low,0-12_high,0-12_hard", csv);
        foreach (var (query, parameter) in new[] { ("bucket=week", "bucket"), ("from=soon", "from"), ("format=pdf", "format"), ("camera=a%20b", "camera") })
        {
            var response = await http.GetAsync($"/api/report?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"'{parameter}'", await response.Content.ReadAsStringAsync());
        }

        // Killed (no chance to flush) and started again: every window that had finished is still there.
        worker.Kill();
        worker.Restart();
        await Ports.WaitOpenAsync(worker.HttpPort, TimeSpan.FromSeconds(60));
        Assert.True(People(await Rows(http)) >= before, "a finished window was lost across the restart");
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));

        // Offline, from the store on disk: the same people (the stop above closed the last window too).
        int online = People(await OfflineRows(worker));
        Assert.True(online >= before, $"faceage-worker report saw {online} people, the API {before}");
    }

    private static async Task<JsonElement[]> OfflineRows(WorkerProcess worker)
    {
        using var report = new ChildProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "faceage-worker.dll"), "report", "--camera", "lobby"],
            worker.Folder);
        Assert.Equal(0, await report.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var json = report.Output[report.Output.IndexOf('{', StringComparison.Ordinal)..];
        return JsonDocument.Parse(json).RootElement.GetProperty("rows").EnumerateArray().ToArray();
    }
}

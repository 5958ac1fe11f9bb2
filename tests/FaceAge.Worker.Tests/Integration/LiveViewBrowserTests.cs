using System.Net;
using System.Text.Json;
using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>The live page in a real browser (Debian's chromium driven by playwright-core) against the real worker on a real video.</summary>
public class LiveViewBrowserTests
{
    private static readonly string BrowserScripts = Path.Combine(RepoPaths.Root, "tests", "browser");

    [Fact]
    public async Task Browser_sees_the_camera_tile_a_preview_counters_that_change_and_the_report_by_hour()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "/usr/bin/chromium is missing: ./build.sh test installs Debian's chromium.");
        Assert.True(Directory.Exists(Path.Combine(BrowserScripts, "node_modules", "playwright-core")),
            "tests/browser/node_modules is missing: ./build.sh test runs npm ci there.");
        // sample3 (3 women) and sample6 (4 women) with black between, looped: people come and leave.
        var video = TestVideos.FromPhotos(["sample3.jpg", "sample6.jpg"], seconds: 4, gap: 2);
        using var worker = WorkerProcess.Start([new { Id = "lobby", Name = "Lobby", Url = video, Loop = true, MaxFps = 10 }], Ports.Free(),
            embeddedBroker: true);
        await Ports.WaitOpenAsync(worker.HttpPort, TimeSpan.FromSeconds(60));

        var artifacts = Path.Combine(RepoPaths.Root, "artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "live-view.png");
        File.Delete(screenshot);
        using var browser = new ChildProcess("node", ["live-view.mjs", $"http://127.0.0.1:{worker.HttpPort}/", screenshot, "90", "report"], BrowserScripts);
        var exit = await browser.WaitForExitAsync(TimeSpan.FromSeconds(150));
        var line = browser.Output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{')) ?? "";
        Assert.True(exit == 0, $"browser script failed (exit {exit}): {browser.Output}");

        var result = JsonDocument.Parse(line).RootElement;
        Assert.Equal(["lobby"], result.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()));
        var seen = result.GetProperty("seen").EnumerateArray().ToList();
        Assert.True(seen.Count >= 3, $"counters changed only {seen.Count - 1} time(s): {line}");
        Assert.True(int.Parse(seen[^1].GetProperty("lastHour").GetString()!) >= 1, $"nobody counted as having left: {line}");
        Assert.Contains(seen, s => int.Parse(s.GetProperty("peopleNow").GetString()!) >= 3);
        Assert.Equal(640, result.GetProperty("previewWidth").GetInt32());
        Assert.Equal("online", result.GetProperty("stateText").GetString());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is kept in artifacts/live-view.png");
        // The report view: this hour, its people, the share of men with its interval, and a bar and a dot for it in the plot.
        var hour = result.GetProperty("report").EnumerateArray().First().EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\dh$", hour[0]);
        Assert.True(int.Parse(hour[1]) >= 1, $"no people in the report's hour: {line}");
        Assert.Matches(@"^\d+% \(\d+%–\d+%\)$", hour[2]);
        Assert.Contains("25-34", hour[3]);
        Assert.True(result.GetProperty("reportBars").GetInt32() >= 1 && result.GetProperty("reportMaleShares").GetInt32() >= 1, line);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task With_an_access_token_the_page_and_its_api_need_it()
    {
        var video = TestVideos.FromPhotos(["sample3.jpg"], seconds: 4, gap: 1);
        const string token = "s3cret-token-42";
        using var worker = WorkerProcess.Start([new { Id = "door", Url = video, Loop = true, MaxFps = 10 }], Ports.Free(), embeddedBroker: true,
            new() { ["LiveView"] = new { AccessToken = token } });
        await Ports.WaitOpenAsync(worker.HttpPort, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{worker.HttpPort}") };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/live")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/live?token=wrong-token-00")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode); // Prometheus scrapes are not behind the page's token

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/live");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var live = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        Assert.False(live.GetProperty("blurFaces").GetBoolean()); // bound to 127.0.0.1 only

        // The preview is a JPEG once frames arrive; an unknown camera is 404.
        byte[]? jpeg = null;
        for (int i = 0; i < 60 && jpeg is null; i++)
        {
            var response = await http.GetAsync($"/api/cameras/door/preview.jpg?token={token}");
            if (response.StatusCode == HttpStatusCode.OK) jpeg = await response.Content.ReadAsByteArrayAsync();
            else await Task.Delay(500);
        }
        Assert.NotNull(jpeg);
        Assert.Equal([0xFF, 0xD8], jpeg![..2]);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/cameras/nope/preview.jpg?token={token}")).StatusCode);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }
}

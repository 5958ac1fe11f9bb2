using System.Diagnostics;
using FaceAge.Worker.Tests.Support;
using Xunit.Abstractions;

namespace FaceAge.Worker.Tests.Chaos;

/// <summary>
/// Nothing stalls: an RTSP server carrying two cameras is killed, frozen (SIGSTOP) or restarted 20 times
/// at random intervals, next to a camera on a stable server and a camera that is dead from the start.
/// Each time, the two cameras stream again within 10 s of their server being back; the stable camera
/// never drops below its normal rate; the worker stays up.
/// </summary>
public class RtspChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Twenty_kills_freezes_and_restarts_each_recover_within_ten_seconds_and_spare_the_other_cameras()
    {
        // The test server plays a file once per client: an 8 s clip repeated to about 7 minutes streams throughout.
        var video = TestVideos.Repeated(TestVideos.FromPhotos(["sample1.jpg", "sample4.jpg"], seconds: 3, gap: 1), 50);
        using var chaos = await RtspServer.StartAsync($"a={video}", $"b={video}");
        using var stable = await RtspServer.StartAsync($"c={video}");
        int deadPort = Ports.Free();
        const int fps = 5;
        using var worker = WorkerProcess.Start(
        [
            new { Id = "a", Url = chaos.Url("a"), MaxFps = fps, DetectionWidth = 640 },
            new { Id = "b", Url = chaos.Url("b"), MaxFps = fps, DetectionWidth = 640 },
            new { Id = "c", Url = stable.Url("c"), MaxFps = fps, DetectionWidth = 640 },
            new { Id = "dead", Url = $"rtsp://127.0.0.1:{deadPort}/nothing", MaxFps = fps, DetectionWidth = 640 },
        ], Ports.Free(), embeddedBroker: true);

        async Task<(double A, double B, double C, double UpA, double UpB)> Read()
        {
            var m = await worker.MetricsAsync();
            return (WorkerProcess.MetricValue(m, "faceage_frames_decoded_total{camera=\"a\"}"),
                WorkerProcess.MetricValue(m, "faceage_frames_decoded_total{camera=\"b\"}"),
                WorkerProcess.MetricValue(m, "faceage_frames_decoded_total{camera=\"c\"}"),
                WorkerProcess.MetricValue(m, "faceage_camera_up{camera=\"a\"}"), WorkerProcess.MetricValue(m, "faceage_camera_up{camera=\"b\"}"));
        }

        await Ports.WaitOpenAsync(worker.HttpPort, TimeSpan.FromSeconds(60));
        // Wait until the three live cameras stream.
        var start = DateTime.UtcNow;
        while ((await Read()) is var r && (r.A < 10 || r.B < 10 || r.C < 10))
        {
            Assert.True(DateTime.UtcNow - start < TimeSpan.FromSeconds(60), "cameras did not start streaming");
            await Task.Delay(500);
        }

        // The stable camera's normal rate, before any chaos.
        var baselineStart = (await Read()).C;
        await Task.Delay(TimeSpan.FromSeconds(10));
        double normal = ((await Read()).C - baselineStart) / 10.0;
        output.WriteLine($"stable camera normal rate {normal:0.00} fps");
        Assert.True(normal >= 0.8 * fps, $"the stable camera streams only {normal:0.00} fps before any chaos");

        var random = new Random(2026);
        var recoveries = new List<double>();
        var windowRates = new List<double>();
        var cBefore = (await Read()).C;
        var clock = Stopwatch.StartNew();
        for (int cycle = 0; cycle < 20; cycle++)
        {
            var windowStart = Stopwatch.StartNew();
            double cAtStart = (await Read()).C;
            await Task.Delay(TimeSpan.FromSeconds(2 + random.NextDouble() * 3));
            string action = (cycle % 3) switch { 0 => "kill", 1 => "freeze", _ => "restart" };
            switch (action)
            {
                case "kill":
                    chaos.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(1 + random.NextDouble() * 3));
                    await chaos.RestartAsync();
                    break;
                case "freeze":
                    chaos.Freeze();
                    await Task.Delay(TimeSpan.FromSeconds(2 + random.NextDouble() * 5));
                    chaos.Resume();
                    break;
                default:
                    await chaos.RestartAsync();
                    break;
            }
            // Back: both cameras up again and delivering frames again.
            var back = Stopwatch.StartNew();
            var atBack = await Read();
            while (true)
            {
                var now = await Read();
                if (now.UpA == 1 && now.UpB == 1 && now.A > atBack.A && now.B > atBack.B) break;
                Assert.True(back.Elapsed < TimeSpan.FromSeconds(30), $"cycle {cycle} ({action}): cameras not back after 30 s");
                await Task.Delay(200);
            }
            recoveries.Add(back.Elapsed.TotalSeconds);
            windowRates.Add(((await Read()).C - cAtStart) / windowStart.Elapsed.TotalSeconds);
            output.WriteLine($"cycle {cycle,2} {action,-7}: streaming again after {back.Elapsed.TotalSeconds:0.0} s");
            Assert.False(worker.Process.HasExited, "the worker must stay up");
        }
        double elapsed = clock.Elapsed.TotalSeconds;
        double cRate = ((await Read()).C - cBefore) / elapsed;
        output.WriteLine($"recovery max {recoveries.Max():0.0} s, mean {recoveries.Average():0.0} s; stable camera {cRate:0.00} fps over {elapsed:0} s, "
            + $"lowest cycle {windowRates.Min():0.00} fps");

        Assert.All(recoveries, s => Assert.True(s <= 10, $"a recovery took {s:0.0} s"));
        // Every cycle window (kill/freeze/restart of the other server included) keeps the stable camera at its normal rate.
        Assert.All(windowRates, w => Assert.True(w >= 0.85 * normal, $"the stable camera dropped to {w:0.00} fps (normal {normal:0.00})"));
        var metrics = await worker.MetricsAsync();
        Assert.Equal(0, WorkerProcess.MetricValue(metrics, "faceage_camera_reconnects_total{camera=\"c\"}"));
        Assert.Equal(0, WorkerProcess.MetricValue(metrics, "faceage_camera_up{camera=\"dead\"}"));
        Assert.True(WorkerProcess.MetricValue(metrics, "faceage_camera_reconnects_total{camera=\"dead\"}") >= 3, "the dead camera keeps being retried");
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }
}

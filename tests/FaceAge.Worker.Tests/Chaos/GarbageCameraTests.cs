using System.Net;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Chaos;

/// <summary>Cameras that send garbage (an HTTP server streaming random bytes, a file of random bytes) next to a good one.</summary>
public class GarbageCameraTests
{
    [Fact]
    public async Task Garbage_cameras_go_offline_with_a_reason_while_the_good_camera_keeps_publishing()
    {
        var random = new Random(7);
        var garbageFile = Path.Combine(Directory.CreateTempSubdirectory("faceage-garbage").FullName, "noise.mp4");
        File.WriteAllBytes(garbageFile, Enumerable.Range(0, 2_000_000).Select(_ => (byte)random.Next(256)).ToArray());
        int httpPort = Ports.Free();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{httpPort}/");
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); } catch (Exception) { break; }
                _ = Task.Run(async () =>
                {
                    context.Response.ContentType = "video/mp4";
                    context.Response.SendChunked = true;
                    try
                    {
                        for (int i = 0; i < 200 && !stop.IsCancellationRequested; i++)
                        {
                            Random.Shared.NextBytes(chunk);
                            await context.Response.OutputStream.WriteAsync(chunk, stop.Token);
                            await Task.Delay(20, stop.Token);
                        }
                        context.Response.Close();
                    }
                    catch (Exception) { } // the reader gave up: fine
                });
            }
        });

        var video = TestVideos.FromPhotos(["sample3.jpg"], seconds: 4, gap: 5);
        int port = Ports.Free();
        using var worker = WorkerProcess.Start(
        [
            new { Id = "good", Url = video, Loop = true, MaxFps = 10 },
            new { Id = "noisefile", Url = garbageFile, Loop = true, MaxFps = 10 },
            new { Id = "noisehttp", Url = $"http://127.0.0.1:{httpPort}/cam", MaxFps = 10 },
        ], port, embeddedBroker: true);
        await using var mqtt = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(60));

        bool Offline(MqttCollector m, string camera)
            => m.Json($"/{camera}/status").Any(s => s.GetProperty("state").GetString() == "offline" && s.TryGetProperty("reason", out _));
        await mqtt.WaitUntilAsync(m => Offline(m, "noisefile") && Offline(m, "noisehttp") && m.Json("/good/person").Count() >= 3,
            TimeSpan.FromSeconds(120), "both garbage cameras offline with a reason and the good camera publishing");
        var metrics = await worker.MetricsAsync();
        Assert.Equal(1, WorkerProcess.MetricValue(metrics, "faceage_camera_up{camera=\"good\"}"));
        Assert.Equal(0, WorkerProcess.MetricValue(metrics, "faceage_camera_up{camera=\"noisefile\"}"));
        Assert.Equal(0, WorkerProcess.MetricValue(metrics, "faceage_camera_up{camera=\"noisehttp\"}"));
        Assert.False(worker.Process.HasExited);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
        stop.Cancel();
        listener.Stop();
        await server;
    }
}

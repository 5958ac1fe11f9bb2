using System.Net.Sockets;
using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;
using Xunit.Abstractions;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>
/// The README's promise, end to end on the built tree: the demo worker as `./build.sh demo` starts it (the repository's
/// appsettings.json, embedded broker on 127.0.0.1:1883, HTTP on 127.0.0.1:9464), and the README's own watch commands,
/// run exactly as written: both mosquitto_sub lines (MQTT 3.1.1 and 5) see the worker's status, camera status, person
/// and stats messages and what the README's mosquitto_pub line sends; its curl line shows faceage_ series.
/// </summary>
public class ReadmeDemoTests(ITestOutputHelper output)
{
    /// <summary>The commands of the README block under "Watch the events in another terminal".</summary>
    private static List<string> WatchCommands()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        int at = Array.FindIndex(lines, l => l.Contains("Watch the events in another terminal", StringComparison.Ordinal));
        Assert.True(at >= 0, "README.md has no \"Watch the events in another terminal\" block");
        int start = Array.FindIndex(lines, at, l => l.StartsWith("```bash", StringComparison.Ordinal)) + 1;
        int end = Array.FindIndex(lines, start, l => l.StartsWith("```", StringComparison.Ordinal));
        return lines[start..end].Where(l => l.Trim().Length > 0).ToList();
    }

    private static void RequireFree(int port, string what)
    {
        try
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
        }
        catch (SocketException)
        {
            Assert.Fail($"port {port} ({what}) is taken by another program; the README's commands need it free");
        }
    }

    private static ChildProcess Shell(string command, TimeSpan limit)
        => new("timeout", [$"{(int)limit.TotalSeconds}", "bash", "-c", command], RepoPaths.Root);

    [Fact]
    public async Task The_demo_worker_answers_the_readmes_mosquitto_and_curl_commands_as_written()
    {
        var commands = WatchCommands();
        var subscribers = commands.Where(c => c.StartsWith("mosquitto_sub ", StringComparison.Ordinal)).ToList();
        var publisher = Assert.Single(commands, c => c.StartsWith("mosquitto_pub ", StringComparison.Ordinal));
        var curl = Assert.Single(commands, c => c.StartsWith("curl ", StringComparison.Ordinal));
        Assert.Equal(2, subscribers.Count);
        Assert.Contains(subscribers, s => s.Contains("-V mqttv5"));
        RequireFree(1883, "MQTT");
        RequireFree(9464, "HTTP");

        // ./build.sh demo: after set-up it runs exactly this, in the repository root.
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(RepoPaths.Root, "src", "FaceAge.Worker", "bin", configuration, "net10.0", "faceage-worker.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        using var worker = new ChildProcess("dotnet", [dll], RepoPaths.Root);
        try
        {
            await worker.WaitForOutputAsync("Embedded MQTT broker listening on 127.0.0.1:1883", TimeSpan.FromSeconds(60));
            var watchers = subscribers.Select(s => Shell(s, TimeSpan.FromSeconds(80))).ToList();
            await Task.Delay(3000);
            using (var pub = Shell(publisher, TimeSpan.FromSeconds(20))) Assert.Equal(0, await pub.WaitForExitAsync(TimeSpan.FromSeconds(25)));

            // A stats message comes once a minute; persons within seconds.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(80);
            bool Complete(ChildProcess w) => w.Output.Contains("faceage/demo/stats ") && w.Output.Contains("faceage/demo/person ");
            while (!watchers.All(Complete) && DateTime.UtcNow < deadline) await Task.Delay(500);

            using var metrics = Shell(curl, TimeSpan.FromSeconds(20));
            await metrics.WaitForExitAsync(TimeSpan.FromSeconds(25));
            var series = metrics.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(series);
            Assert.All(series, l => Assert.StartsWith("faceage_", l));
            Assert.Contains(series, l => l.StartsWith("faceage_frames_decoded_total{camera=\"demo\"}", StringComparison.Ordinal));

            foreach (var (command, watcher) in subscribers.Zip(watchers))
            {
                var seen = watcher.Output;
                output.WriteLine($"$ {command}\n{string.Join('\n', seen.Split('\n').Take(8))}\n…");
                Assert.DoesNotContain("Connection error", seen);
                Assert.Contains("faceage/status {\"state\":\"online\"", seen);
                Assert.Contains("faceage/demo/status {\"camera\":\"demo\"", seen);
                Assert.Contains("faceage/demo/person {\"personId\":", seen);
                Assert.Contains("faceage/demo/stats {\"camera\":\"demo\"", seen);
                Assert.Contains("faceage/hello hello from a client", seen);
                watcher.Dispose();
            }
        }
        finally
        {
            await worker.StopAsync(TimeSpan.FromSeconds(30));
        }
    }
}

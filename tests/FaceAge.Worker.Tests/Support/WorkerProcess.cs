using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Worker.Tests.Support;

/// <summary>The real worker program, run with a settings file written by the test in its own folder.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly string _dir;

    private readonly IDictionary<string, string>? _environment;

    private WorkerProcess(string dir, ChildProcess process, int httpPort, IDictionary<string, string>? environment)
    {
        _dir = dir;
        _environment = environment;
        Process = process;
        HttpPort = httpPort;
    }

    public ChildProcess Process { get; private set; }
    public int HttpPort { get; }
    /// <summary>Output of earlier processes of this worker (before <see cref="Restart"/>).</summary>
    public string EarlierOutput { get; private set; } = "";

    /// <summary>Settings: cameras plus overrides of the fast-test defaults below (section → values).</summary>
    /// <param name="environment">Extra environment variables of the worker process.</param>
    public static WorkerProcess Start(object[] cameras, int mqttPort, bool embeddedBroker, Dictionary<string, object>? sections = null, IDictionary<string,
        string>? environment = null)
    {
        var dir = Directory.CreateTempSubdirectory("faceage-worker").FullName;
        int httpPort = Ports.Free();
        var settings = new Dictionary<string, object>
        {
            ["Cameras"] = cameras,
            ["Analysis"] = new { ModelsDirectory = RepoPaths.Models, Detector = new { Tiles = 1 } },
            ["Pipeline"] = new { StatsWindowSeconds = 5, BatchMaxWaitMilliseconds = 30 },
            ["Fusion"] = new { ReentryWindow = "00:00:03" },
            ["Watchdog"] = new { StallSeconds = 3, BackoffInitialSeconds = 0.5, BackoffMaxSeconds = 2, ProbeTimeoutSeconds = 5 },
            ["Mqtt"] = new { Mode = embeddedBroker ? "Embedded" : "External", Port = mqttPort, ClientId = "faceage-worker-test" },
            ["Http"] = new { Urls = $"http://127.0.0.1:{httpPort}" },
            ["Logging"] = new { LogLevel = new { Default = "Information" } },
        };
        foreach (var (k, v) in sections ?? []) settings[k] = v;
        File.WriteAllText(Path.Combine(dir, "appsettings.json"), JsonSerializer.Serialize(settings));
        var process = new ChildProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "faceage-worker.dll")], dir, environment);
        return new WorkerProcess(dir, process, httpPort, environment);
    }

    /// <summary>Kills the process (SIGKILL, like a crash) and starts the worker again in the same folder: same settings, same outbox file.</summary>
    /// <summary>SIGKILL: the process gets no chance to flush or stop anything.</summary>
    public void Kill() => Process.Kill();

    /// <summary>Starts the worker again in the same folder (its outbox and settings), after <see cref="Kill"/>.</summary>
    public void Restart()
    {
        EarlierOutput += Process.Output;
        Process.Dispose();
        Process = new ChildProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "faceage-worker.dll")], _dir, _environment);
    }

    /// <summary>All output so far, of this and earlier processes.</summary>
    public string AllOutput => EarlierOutput + Process.Output;

    /// <summary>The folder the worker runs in, with the settings file the test wrote.</summary>
    public string Folder => _dir;

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{HttpPort}/metrics");
    }

    public static double MetricValue(string metrics, string series)
        => metrics.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal)).Select(l
            => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    public void Dispose()
    {
        Process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

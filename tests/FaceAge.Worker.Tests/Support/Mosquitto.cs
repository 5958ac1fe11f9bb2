namespace FaceAge.Worker.Tests.Support;

/// <summary>A real mosquitto broker on a free loopback port, for the length of a test.</summary>
public sealed class Mosquitto : IDisposable
{
    private ChildProcess? _process;
    private readonly string _dir;
    private readonly string _conf;

    private Mosquitto(int port, string dir, string conf)
    {
        Port = port;
        _dir = dir;
        _conf = conf;
    }

    public int Port { get; }
    public string Directory => _dir;

    /// <param name="persistent">Keep sessions and queued messages across <see cref="StopAsync"/> / <see cref="StartAgainAsync"/>.</param>
    /// <param name="extraConfig">More mosquitto.conf lines (the listener line is written here unless <paramref name="listener"/> is false).</param>
    public static async Task<Mosquitto> StartAsync(bool persistent = false, string extraConfig = "", bool listener = true)
    {
        int port = Ports.Free();
        var dir = System.IO.Directory.CreateTempSubdirectory("faceage-mosquitto").FullName;
        var conf = Path.Combine(dir, "mosquitto.conf");
        var text = listener ? $"listener {port} 127.0.0.1\nallow_anonymous true\n" : "";
        text += persistent ? $"persistence true\npersistence_location {dir}/\nmax_queued_messages 100000\n" : "persistence false\n";
        File.WriteAllText(conf, text + extraConfig.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture)) + "\n");
        var broker = new Mosquitto(port, dir, conf);
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>Stops the broker (SIGTERM: it saves its persistence file) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the broker on the same port with the same configuration.</summary>
    public async Task StartAgainAsync()
    {
        _process = new ChildProcess("mosquitto", ["-c", _conf]);
        await Ports.WaitOpenAsync(Port, TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        _process?.Dispose();
        try { System.IO.Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

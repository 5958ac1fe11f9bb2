namespace FaceAge.Worker.Tests.Support;

/// <summary>The GStreamer RTSP test server (Support/rtsp_server.py) on a free loopback port.</summary>
public sealed class RtspServer : IDisposable
{
    private readonly string[] _mounts;
    private ChildProcess? _process;

    private RtspServer(int port, string[] mounts)
    {
        Port = port;
        _mounts = mounts;
    }

    public int Port { get; }
    public string Url(string name) => $"rtsp://127.0.0.1:{Port}/{name}";

    /// <param name="mounts">"name=/path/file.mp4", with ":once" appended to serve the clip only once.</param>
    public static async Task<RtspServer> StartAsync(params string[] mounts)
    {
        var server = new RtspServer(Ports.Free(), mounts);
        await server.RestartAsync();
        return server;
    }

    public async Task RestartAsync()
    {
        _process?.Dispose();
        var script = Path.Combine(AppContext.BaseDirectory, "Support", "rtsp_server.py");
        _process = new ChildProcess(DebianPython.Executable, [script, Port.ToString(), .. _mounts]);
        await _process.WaitForOutputAsync("ready", TimeSpan.FromSeconds(15));
    }

    /// <summary>Kills the server abruptly (SIGKILL), as a crashed or unplugged camera would vanish.</summary>
    public void Kill() => _process?.Kill();

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing arrives, as with a hung camera.</summary>
    public void Freeze() => Signal("-STOP");

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

    private void Signal(string signal)
    {
        if (_process is null || _process.HasExited) return;
        System.Diagnostics.Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    public void Dispose()
    {
        Resume(); // a stopped process cannot act on SIGKILL's cleanup of its children otherwise
        _process?.Dispose();
    }
}

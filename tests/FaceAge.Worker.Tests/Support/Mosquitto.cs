namespace FaceAge.Worker.Tests.Support;

/// <summary>A real mosquitto broker on a free loopback port, for the length of a test.</summary>
public sealed class Mosquitto : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _dir;

    private Mosquitto(int port, string dir, ChildProcess process)
    {
        Port = port;
        _dir = dir;
        _process = process;
    }

    public int Port { get; }

    public static async Task<Mosquitto> StartAsync()
    {
        int port = Ports.Free();
        var dir = Directory.CreateTempSubdirectory("faceage-mosquitto").FullName;
        var conf = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
        var process = new ChildProcess("mosquitto", ["-c", conf]);
        await Ports.WaitOpenAsync(port, TimeSpan.FromSeconds(10));
        return new Mosquitto(port, dir, process);
    }

    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_dir, true);
    }
}

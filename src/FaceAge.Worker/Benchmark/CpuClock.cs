using System.Globalization;

namespace FaceAge.Worker.Benchmark;

/// <summary>CPU time of the ffmpeg readers the worker started, from /proc (the whole machine's: <see cref="Metrics.MachineCpuTime"/>).</summary>
internal static class CpuClock
{
    /// <summary>
    /// CPU seconds of the ffmpeg readers: those still running (/proc/&lt;pid&gt;/stat) and those already reaped (this
    /// process's cutime + cstime).
    /// </summary>
    public static double ChildrenSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        const double tick = 100.0; // USER_HZ on Linux
        static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        static double Seconds(string[] f, int user, int system)
            => (double.Parse(f[user], CultureInfo.InvariantCulture) + double.Parse(f[system], CultureInfo.InvariantCulture)) / tick;
        double total = Seconds(Fields(File.ReadAllText("/proc/self/stat")), 13, 14); // cutime, cstime
        int me = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var f = Fields(File.ReadAllText(Path.Combine(dir, "stat")));
                if (int.Parse(f[1], CultureInfo.InvariantCulture) == me) total += Seconds(f, 11, 12); // utime, stime
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
        return total;
    }
}

using System.Globalization;

namespace FaceAge.Worker.Benchmark;

/// <summary>CPU time outside the worker's own threads, from /proc: the ffmpeg readers it started, and the whole machine.</summary>
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

    /// <summary>Busy and total CPU time of the whole machine so far (/proc/stat), so ffmpeg readers count too; zeros where there is no /proc.</summary>
    public static (double Busy, double Total) Machine()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        double idle = fields[3] + fields[4]; // idle + iowait
        double total = fields.Take(8).Sum();  // user nice system idle iowait irq softirq steal
        return (total - idle, total);
    }
}

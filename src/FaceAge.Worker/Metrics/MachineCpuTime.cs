using System.Globalization;

namespace FaceAge.Worker.Metrics;

/// <summary>Busy and total CPU time of the whole machine so far (/proc/stat), so ffmpeg readers and other processes count too.</summary>
public static class MachineCpuTime
{
    /// <summary>Both in clock ticks; zeros where there is no /proc (not Linux).</summary>
    public static (double Busy, double Total) Read()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        double idle = fields[3] + fields[4]; // idle + iowait
        double total = fields.Take(8).Sum();  // user nice system idle iowait irq softirq steal
        return (total - idle, total);
    }
}

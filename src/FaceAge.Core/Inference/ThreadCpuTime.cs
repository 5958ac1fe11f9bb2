using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FaceAge.Core.Inference;

/// <summary>
/// CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), so a stage's cost is what it computed, not how long
/// it waited for a core on a busy machine. Elsewhere the wall clock stands in.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static readonly bool Available = OperatingSystem.IsLinux() && Probe();

    private static bool Probe()
    {
        try { return ClockGetTime(ClockThreadCpuTime, out _) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Seconds of CPU the calling thread has used (wall-clock seconds where the OS does not tell).</summary>
    public static double Now()
    {
        if (Available && ClockGetTime(ClockThreadCpuTime, out var t) == 0) return t.Seconds + t.Nanoseconds * 1e-9;
        return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }
}

/// <summary>CPU seconds and runs spent inside model runs, per model file; thread-safe. One per session factory.</summary>
public sealed class ModelRunClock
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (long Runs, double Seconds)> _byModel = new(StringComparer.Ordinal);

    public void Add(string model, double seconds)
    {
        lock (_gate)
        {
            var (runs, total) = _byModel.GetValueOrDefault(model);
            _byModel[model] = (runs + 1, total + seconds);
        }
    }

    public IReadOnlyDictionary<string, (long Runs, double Seconds)> Snapshot()
    {
        lock (_gate) return new Dictionary<string, (long, double)>(_byModel);
    }
}

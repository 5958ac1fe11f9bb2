using System.Runtime.InteropServices;

namespace FaceAge.Worker.Hosting;

/// <summary>
/// The C heap that ONNX Runtime, OpenCV and the runtime's native parts allocate from (glibc malloc on Linux).
/// A 30-minute soak showed the bytes in use flat while the bytes held free grew (45 → 70 MiB in two minutes, RSS with
/// them): freed frame-sized blocks stay in glibc's per-thread arenas. So the worker caps the arenas at start and
/// hands free pages back to the OS at an interval; <see cref="Usage"/> lets a soak tell a leak from that retention.
/// No-ops where the C library is not glibc.
/// </summary>
public static partial class NativeHeap
{
    /// <summary>How often free pages are handed back: rarely enough to cost nothing measurable, often enough that RSS follows use.</summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(30);

    private const int M_ARENA_MAX = -8;

    /// <summary>
    /// Caps glibc's arenas at two per core (glibc's default is eight per core): every stage thread otherwise gets an
    /// arena of its own that keeps what it freed. Call first thing, before the threads that allocate start.
    /// </summary>
    public static bool LimitArenas()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return mallopt(M_ARENA_MAX, 2 * Environment.ProcessorCount) == 1; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    /// <summary>Hands the free pages of every arena back to the OS (glibc's malloc_trim); false where there is none to call.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { _ = malloc_trim(0); return true; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    /// <summary>Trims every <see cref="TrimInterval"/> until cancelled.</summary>
    public static async Task TrimPeriodicallyAsync(CancellationToken cancellationToken)
    {
        if (!Trim()) return;
        using var timer = new PeriodicTimer(TrimInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken)) Trim();
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Bytes in use (small blocks + mmapped blocks) and bytes held free inside the heap, or null where glibc's mallinfo2 is missing.</summary>
    public static (long InUse, long Free)? Usage()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var info = mallinfo2();
            return ((long)(info.uordblks + info.hblkhd), (long)info.fordblks);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // musl or an older glibc
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 mallinfo2();

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}

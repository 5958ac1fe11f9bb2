using System.Diagnostics;
using FaceAge.Worker.Hosting;

namespace FaceAge.Worker.Benchmark;

/// <summary>Process resources at one moment of a soak run.</summary>
internal sealed record ResourceSample(
    double Seconds, double RssMiB, double GcHeapMiB, int Handles, int Threads, double? NativeInUseMiB, double? NativeFreeMiB)
{
    public static ResourceSample Take(double seconds)
    {
        using var self = Process.GetCurrentProcess();
        int handles = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : self.HandleCount;
        // Live managed heap after a full collection: what a leak would grow (a plain reading swings with GC timing).
        double gcHeap = Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, 1);
        // The C heap (ONNX Runtime, OpenCV): in use vs held free tells a native leak from fragmentation.
        var native = NativeHeap.Usage();
        return new ResourceSample(Math.Round(seconds, 1), Math.Round(self.WorkingSet64 / 1048576.0, 1), gcHeap, handles, self.Threads.Count,
            native is { } n ? Math.Round(n.InUse / 1048576.0, 1) : null, native is { } m ? Math.Round(m.Free / 1048576.0, 1) : null);
    }

    /// <summary>One figure per resource (RSS, GC heap, handles, threads) by the same measure.</summary>
    public static object PerResource(List<ResourceSample> samples, Func<List<ResourceSample>, Func<ResourceSample, double>, double> measure) => new
    {
        rss = measure(samples, s => s.RssMiB),
        gcHeap = measure(samples, s => s.GcHeapMiB),
        handles = measure(samples, s => s.Handles),
        threads = measure(samples, s => s.Threads),
        nativeInUse = samples.All(s => s.NativeInUseMiB is not null) ? measure(samples, s => s.NativeInUseMiB!.Value) : (double?)null,
        nativeFree = samples.All(s => s.NativeFreeMiB is not null) ? measure(samples, s => s.NativeFreeMiB!.Value) : (double?)null,
    };

    public static double Growth(List<ResourceSample> samples, Func<ResourceSample, double> value)
    {
        int third = samples.Count / 3;
        double first = Median(samples.Take(third).Select(value)), last = Median(samples.TakeLast(third).Select(value));
        return first > 0 ? Math.Round((last - first) / first * 100, 1) : 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Trend(List<ResourceSample> samples, Func<ResourceSample, double> value)
    {
        double mx = samples.Average(s => s.Seconds), my = samples.Average(value);
        double sxy = samples.Sum(s => (s.Seconds - mx) * (value(s) - my)), sxx = samples.Sum(s => (s.Seconds - mx) * (s.Seconds - mx));
        double slope = sxx > 0 ? sxy / sxx : 0;
        double start = my + slope * (samples[0].Seconds - mx), end = my + slope * (samples[^1].Seconds - mx);
        return start > 0 ? Math.Round((end - start) / start * 100, 1) : 0;
    }

    public override string ToString()
        => $"t={Seconds:0}s rss={RssMiB} MiB gc={GcHeapMiB} MiB native={NativeInUseMiB} MiB (free {NativeFreeMiB}) handles={Handles} threads={Threads}";
}

namespace FaceAge.Worker.Benchmark;

/// <summary>
/// Capture → fused latencies as counts per millisecond up to a minute (longer ones in the last bucket): fixed memory,
/// so a two-hour soak does not measure the bench's own record growing; percentiles are exact to the millisecond.
/// </summary>
internal sealed class LatencyRecord
{
    private readonly long[] _perMillisecond = new long[60_000];
    private long _count;
    private volatile bool _recording;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Latencies count only while recording (the measured time, not the warm-up).</summary>
    public bool Recording { get => _recording; set => _recording = value; }

    public void Add(double seconds)
    {
        if (!_recording) return;
        int bucket = (int)Math.Clamp(Math.Ceiling(seconds * 1000), 0, _perMillisecond.Length - 1);
        Interlocked.Increment(ref _perMillisecond[bucket]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The smallest latency (ms resolution, in seconds) that at least a share <paramref name="p"/> of the samples do not exceed.</summary>
    public double Percentile(double p)
    {
        long count = Count;
        if (count == 0) return double.NaN;
        long rank = Math.Max(1, (long)Math.Ceiling(p * count)), seen = 0;
        for (int ms = 0; ms < _perMillisecond.Length; ms++)
            if ((seen += Interlocked.Read(ref _perMillisecond[ms])) >= rank) return ms / 1000.0;
        return (_perMillisecond.Length - 1) / 1000.0;
    }
}

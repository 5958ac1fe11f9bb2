namespace FaceAge.Worker.Sources;

/// <summary>
/// Measured frame rate over a sliding window; <see cref="TooSlow"/> says the stream delivers far fewer
/// frames than expected (a frozen or starving stream that still sends the odd frame).
/// </summary>
public sealed class FrameRateMonitor(double expectedFps, double minFraction, TimeSpan window)
{
    private readonly Queue<DateTimeOffset> _frames = new();
    private DateTimeOffset? _started;

    public void Started(DateTimeOffset now)
    {
        _frames.Clear();
        _started = now;
    }

    public void Frame(DateTimeOffset now)
    {
        _frames.Enqueue(now);
        while (_frames.Count > 0 && now - _frames.Peek() > window) _frames.Dequeue();
    }

    public double Rate(DateTimeOffset now)
    {
        while (_frames.Count > 0 && now - _frames.Peek() > window) _frames.Dequeue();
        return _frames.Count / window.TotalSeconds;
    }

    /// <summary>Only judged once a whole window has passed since the (re)start.</summary>
    public bool TooSlow(DateTimeOffset now)
        => expectedFps > 0 && minFraction > 0 && _started is { } s && now - s >= window && Rate(now) < expectedFps * minFraction;
}

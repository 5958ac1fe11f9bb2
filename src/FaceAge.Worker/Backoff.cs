namespace FaceAge.Worker;

/// <summary>Exponential back-off with ±20 % jitter, so many cameras behind one failed switch do not retry in lockstep.</summary>
public sealed class Backoff(TimeSpan initial, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        double seconds = Math.Min(max.TotalSeconds, initial.TotalSeconds * Math.Pow(2, _failures));
        _failures = Math.Min(_failures + 1, 30);
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * _random.NextDouble()));
    }

    public void Reset() => _failures = 0;
}

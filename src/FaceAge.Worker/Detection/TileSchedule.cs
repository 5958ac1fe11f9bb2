namespace FaceAge.Worker.Detection;

/// <summary>
/// Which of a camera's detected frames also get the detector's tiles (4 of a tiled frame's 5 detector runs): every Nth
/// (Pipeline:TilesEveryNthFrame), postponed while the camera's detect stage is behind — it was behind on some frame since
/// the last tiled one (frames were dropped, typically while that tiled frame ran) — but never past 2N, so small faces are
/// still searched at least half as often. Under overload the worker thus gives up tile passes before it gives up frames.
/// </summary>
public sealed class TileSchedule
{
    private readonly int _everyNth;
    private int _since;
    private bool _behind;

    public TileSchedule(int everyNth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyNth, 1);
        _everyNth = everyNth;
        _since = everyNth - 1; // the first frame is tiled
    }

    /// <summary>Whether the next detected frame gets its tiles; <paramref name="postponed"/> when they were due and are put off.</summary>
    /// <param name="behind">The camera dropped frames before this one, or a newer one is already waiting for the detector.</param>
    public bool Next(bool behind, out bool postponed)
    {
        _since++;
        _behind |= behind;
        bool due = _since >= _everyNth;
        bool tile = due && (!_behind || _since >= 2 * _everyNth);
        postponed = due && !tile;
        if (tile)
        {
            _since = 0;
            _behind = false;
        }
        return tile;
    }
}

namespace FaceAge.Core.Fusion;

/// <summary>
/// How long a person looked, from their posed samples in time order: each sample stands for the time halfway to its
/// neighbours, the first from when the person was first seen and the last until last seen (the way dwell bridges the
/// gaps between samples), so a person who looks in every sample looked for their whole dwell. A look is a run of
/// looking samples; the longest is kept.
/// </summary>
public sealed class AttentionTime
{
    private DateTimeOffset _first, _last;
    private bool _firstLooks, _lastLooks, _firstRunOpen;
    private double _seconds, _run, _firstRun, _longest;

    /// <summary>Samples with a pose.</summary>
    public int Samples { get; private set; }

    /// <summary>Of them, the samples that looked.</summary>
    public int Looking { get; private set; }

    public void Add(DateTimeOffset time, bool looks)
    {
        if (Samples == 0)
        {
            (_first, _firstLooks, _firstRunOpen) = (time, looks, looks);
        }
        else
        {
            double half = Math.Max(0, (time - _last).TotalSeconds) / 2;
            if (_lastLooks)
            {
                _seconds += half;
                _run += half;
            }
            if (looks)
            {
                _seconds += half;
                _run += half;
            }
            else if (_lastLooks) CloseRun();
        }
        (_last, _lastLooks) = (time, looks);
        Samples++;
        if (looks) Looking++;
    }

    /// <summary>Adds another track's samples of the same person (re-entry): its looks count, the gap between them does not.</summary>
    public void Absorb(AttentionTime other)
    {
        if (other.Samples == 0) return;
        if (Samples == 0)
        {
            (_first, _last, _firstLooks, _lastLooks, _firstRunOpen) = (other._first, other._last, other._firstLooks, other._lastLooks, other._firstRunOpen);
            (_seconds, _run, _firstRun, _longest) = (other._seconds, other._run, other._firstRun, other._longest);
        }
        else
        {
            bool otherFirst = other._first < _first;
            _seconds += other._seconds;
            _longest = Math.Max(Math.Max(_longest, other._longest), Math.Max(_run, other._run));
            if (otherFirst)
            {
                (_first, _firstLooks, _firstRunOpen, _firstRun) = (other._first, other._firstLooks, false, other._firstRunOpen ? other._run : other._firstRun);
            }
            else
            {
                if (_firstRunOpen) (_firstRunOpen, _firstRun) = (false, _run);
                (_last, _lastLooks, _run) = (other._last, other._lastLooks, other._run);
            }
        }
        Samples += other.Samples;
        Looking += other.Looking;
    }

    /// <summary>Looking seconds and the longest look of a person first and last seen at these times; null without a posed sample.</summary>
    public (double Seconds, double LongestLook)? Summary(DateTimeOffset firstSeen, DateTimeOffset lastSeen)
    {
        if (Samples == 0) return null;
        double lead = _firstLooks ? Math.Max(0, (_first - firstSeen).TotalSeconds) : 0;
        double tail = _lastLooks ? Math.Max(0, (lastSeen - _last).TotalSeconds) : 0;
        double current = _lastLooks ? _run + tail + (_firstRunOpen ? lead : 0) : 0;
        double first = _firstRunOpen ? 0 : _firstRun + lead;
        return (_seconds + lead + tail, Math.Max(Math.Max(_longest, current), _firstLooks ? first : 0));
    }

    private void CloseRun()
    {
        _longest = Math.Max(_longest, _run);
        if (_firstRunOpen) (_firstRunOpen, _firstRun) = (false, _run);
        _run = 0;
    }
}

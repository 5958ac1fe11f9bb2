using System.Diagnostics;

namespace FaceAge.Worker.Detection;

/// <summary>
/// How many cameras' detector runs may go at once (Pipeline:ConcurrentDetections), first come first served. Without it
/// every camera's detect thread runs whenever it has a frame, and with more cameras than the cores carry the estimate
/// thread gets a core's share only now and then: crops waited, expired and latency grew (docs/benchmarks.md). With the
/// gate the detect threads queue for their turn, a waiting camera takes its newest frame when its turn comes, and what
/// the cores cannot detect is dropped before detection, fairly over the cameras. Strict arrival order, because a thread
/// that left the gate with its next frame already waiting would otherwise take the slot again ahead of those queued.
/// <see cref="Duty"/> below 1 paces the runs (<see cref="DetectorPacing"/>): the cores the detector leaves idle go to
/// the estimator and the decoders, and the waiting cameras' frames get fresher meanwhile.
/// </summary>
public sealed class DetectorGate
{
    private readonly object _lock = new();
    private readonly LinkedList<Turn> _waiting = new();
    private int _free;
    private double _duty = 1;
    private long _notBefore;
    private long _queued;

    public DetectorGate(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = _free = slots;
    }

    /// <summary>How many detector runs go at once.</summary>
    public int Slots { get; }

    /// <summary>
    /// The share of the time detector runs may take, 0.05–1. Below 1, a run of t seconds is followed by a pause of
    /// t·(1/Duty − 1) before the next run starts; 1 (the default) runs them back to back.
    /// </summary>
    public double Duty
    {
        get => Volatile.Read(ref _duty);
        set => Volatile.Write(ref _duty, Math.Clamp(value, 0.05, 1));
    }

    /// <summary>How many runs so far had to queue for a slot (none while the detector keeps up).</summary>
    public long Queued
    {
        get { lock (_lock) return _queued; }
    }

    /// <summary>Cameras waiting for a slot now.</summary>
    public int Waiting
    {
        get { lock (_lock) return _waiting.Count; }
    }

    /// <summary>The gate for a worker: <paramref name="configured"/> slots, or 0 for one fewer than the cores (at least 1).</summary>
    public static DetectorGate For(int configured) => new(configured > 0 ? configured : Math.Max(1, Environment.ProcessorCount - 1));

    /// <summary>One detect thread's place in the queue, reused for each of its runs (no allocation per frame).</summary>
    public sealed class Turn : IDisposable
    {
        internal readonly ManualResetEventSlim Ready = new(false);
        internal readonly LinkedListNode<Turn> Node;

        internal Turn() => Node = new LinkedListNode<Turn>(this);

        public void Dispose() => Ready.Dispose();
    }

    public Turn NewTurn() => new();

    /// <summary>
    /// Waits for a slot, behind every thread that asked before, and for the pause that pacing puts after the last run;
    /// <see cref="Exit(TimeSpan)"/> gives it back.
    /// </summary>
    public void Enter(Turn turn, CancellationToken cancellationToken)
    {
        bool free;
        lock (_lock)
        {
            free = _free > 0 && _waiting.Count == 0;
            if (free)
            {
                _free--;
            }
            else
            {
                turn.Ready.Reset();
                _waiting.AddLast(turn.Node);
                _queued++;
            }
        }
        if (!free) WaitForTurn(turn, cancellationToken);
        PauseOrRelease(cancellationToken);
    }

    private void WaitForTurn(Turn turn, CancellationToken cancellationToken)
    {
        try
        {
            turn.Ready.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                // Still queued: leave the queue. Handed a slot as the wait was cancelled: pass it on.
                if (turn.Node.List is not null) _waiting.Remove(turn.Node);
                else ReleaseLocked();
            }
            throw;
        }
    }

    /// <summary>Holding a slot: waits out the pacing pause (none while <see cref="Duty"/> is 1); cancelled, gives the slot back.</summary>
    private void PauseOrRelease(CancellationToken cancellationToken)
    {
        long ticks = Interlocked.Read(ref _notBefore) - Stopwatch.GetTimestamp();
        if (ticks <= 0) return;
        if (cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency)))
        {
            Exit();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Gives the slot back after a detector run of <paramref name="ran"/>: paced, the next run starts no sooner than the pause after it.</summary>
    public void Exit(TimeSpan ran)
    {
        double duty = Duty;
        if (duty < 1) Interlocked.Exchange(ref _notBefore, Stopwatch.GetTimestamp() + (long)(ran.TotalSeconds * (1 / duty - 1) * Stopwatch.Frequency));
        Exit();
    }

    /// <summary>Gives the slot to the longest waiting thread, or back to the gate.</summary>
    public void Exit()
    {
        lock (_lock) ReleaseLocked();
    }

    private void ReleaseLocked()
    {
        if (_waiting.First is { } next)
        {
            _waiting.RemoveFirst();
            next.Value.Ready.Set();
        }
        else if (_free < Slots)
        {
            _free++;
        }
        else
        {
            throw new InvalidOperationException("The detector gate was left more often than it was entered.");
        }
    }
}

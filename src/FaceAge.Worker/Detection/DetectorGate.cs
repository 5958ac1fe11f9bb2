namespace FaceAge.Worker.Detection;

/// <summary>
/// How many cameras' detector runs may go at once (Pipeline:ConcurrentDetections), first come first served. Without it
/// every camera's detect thread runs whenever it has a frame, and with more cameras than the cores carry the estimate
/// thread gets a core's share only now and then: crops waited, expired and latency grew (docs/benchmarks.md). With the
/// gate the detect threads queue for their turn, a waiting camera takes its newest frame when its turn comes, and what
/// the cores cannot detect is dropped before detection, fairly over the cameras. Strict arrival order, because a thread
/// that left the gate with its next frame already waiting would otherwise take the slot again ahead of those queued.
/// </summary>
public sealed class DetectorGate
{
    private readonly object _lock = new();
    private readonly LinkedList<Turn> _waiting = new();
    private int _free;

    public DetectorGate(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = _free = slots;
    }

    /// <summary>How many detector runs go at once.</summary>
    public int Slots { get; }

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

    /// <summary>Waits for a slot, behind every thread that asked before; <see cref="Exit"/> gives it back.</summary>
    public void Enter(Turn turn, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_free > 0 && _waiting.Count == 0)
            {
                _free--;
                return;
            }
            turn.Ready.Reset();
            _waiting.AddLast(turn.Node);
        }
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

using FaceAge.Worker.Detection;

namespace FaceAge.Worker.Tests.Detection;

public class DetectorGateTests
{
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition(), "timed out waiting for the gate");
    }

    [Fact]
    public async Task Waiting_threads_get_the_slot_in_the_order_they_asked_even_when_the_holder_asks_again_at_once()
    {
        var gate = new DetectorGate(1);
        using var first = gate.NewTurn();
        gate.Enter(first, CancellationToken.None);
        var order = new List<int>();
        var waiters = new List<Task>();
        for (int i = 0; i < 3; i++)
        {
            int id = i;
            waiters.Add(Task.Run(() =>
            {
                using var turn = gate.NewTurn();
                gate.Enter(turn, CancellationToken.None);
                lock (order) order.Add(id);
                gate.Exit();
            }));
            await WaitUntil(() => gate.Waiting == id + 1);
        }
        // The holder leaves and asks again straight away: it queues behind the three.
        gate.Exit();
        gate.Enter(first, CancellationToken.None);
        lock (order) order.Add(99);
        gate.Exit();
        await Task.WhenAll(waiters);
        Assert.Equal([0, 1, 2, 99], order);
    }

    [Fact]
    public void Paced_to_half_the_time_a_run_is_followed_by_a_pause_as_long_before_the_next_starts()
    {
        var gate = new DetectorGate(1) { Duty = 0.5 };
        using var turn = gate.NewTurn();
        gate.Enter(turn, CancellationToken.None);
        gate.Exit(TimeSpan.FromMilliseconds(150));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        gate.Enter(turn, CancellationToken.None);
        Assert.InRange(clock.ElapsedMilliseconds, 140, 2000);
        gate.Exit(TimeSpan.FromMilliseconds(150));

        gate.Duty = 1;
        gate.Enter(turn, CancellationToken.None); // the pause set while paced still holds this once
        gate.Exit(TimeSpan.FromMilliseconds(150));
        clock.Restart();
        gate.Enter(turn, CancellationToken.None);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 100);
        gate.Exit();
    }

    [Fact]
    public async Task A_wait_cancelled_in_the_pause_gives_the_slot_back()
    {
        var gate = new DetectorGate(1) { Duty = 0.1 };
        using var turn = gate.NewTurn();
        gate.Enter(turn, CancellationToken.None);
        gate.Exit(TimeSpan.FromMilliseconds(200)); // a 1.8 s pause
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.Throws<OperationCanceledException>(() => gate.Enter(turn, cancel.Token));
        // Another camera gets the slot once the pause is over; had the cancelled one kept it, never.
        var next = Task.Run(() =>
        {
            using var other = gate.NewTurn();
            gate.Enter(other, CancellationToken.None);
            gate.Exit();
        });
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(5000)));
    }

    [Fact]
    public async Task Runs_that_had_to_queue_are_counted()
    {
        var gate = new DetectorGate(1);
        using var first = gate.NewTurn();
        gate.Enter(first, CancellationToken.None);
        Assert.Equal(0, gate.Queued);
        var second = Task.Run(() =>
        {
            using var turn = gate.NewTurn();
            gate.Enter(turn, CancellationToken.None);
            gate.Exit();
        });
        await WaitUntil(() => gate.Waiting == 1);
        gate.Exit();
        await second;
        Assert.Equal(1, gate.Queued);
    }

    [Fact]
    public async Task No_more_than_its_slots_run_at_once()
    {
        var gate = new DetectorGate(2);
        int inside = 0, most = 0;
        var runs = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
        {
            using var turn = gate.NewTurn();
            for (int n = 0; n < 20; n++)
            {
                gate.Enter(turn, CancellationToken.None);
                int now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                Thread.Sleep(1);
                Interlocked.Decrement(ref inside);
                gate.Exit();
            }
        })).ToList();
        await Task.WhenAll(runs);
        Assert.Equal(2, most);
        Assert.Equal(0, gate.Waiting);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_queue_and_the_slot_goes_to_the_next()
    {
        var gate = new DetectorGate(1);
        using var holder = gate.NewTurn();
        gate.Enter(holder, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = Task.Run(() =>
        {
            using var turn = gate.NewTurn();
            gate.Enter(turn, cancel.Token);
        });
        await WaitUntil(() => gate.Waiting == 1);
        var next = Task.Run(() =>
        {
            using var turn = gate.NewTurn();
            gate.Enter(turn, CancellationToken.None);
            gate.Exit();
        });
        await WaitUntil(() => gate.Waiting == 2);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, gate.Waiting);
        gate.Exit();
        await next;
        // Everything given back: the one slot is free again.
        var again = Task.Run(() => { using var t = gate.NewTurn(); gate.Enter(t, CancellationToken.None); gate.Exit(); });
        await again.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Leaving_more_often_than_entering_is_a_bug_that_throws()
    {
        var gate = new DetectorGate(1);
        Assert.Throws<InvalidOperationException>(gate.Exit);
    }

    [Fact]
    public void Zero_slots_configured_means_the_cores_less_one_and_at_least_one()
        => Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), DetectorGate.For(0).Slots);
}

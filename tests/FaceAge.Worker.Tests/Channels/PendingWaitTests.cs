using System.Diagnostics;
using FaceAge.Worker.Channels;

namespace FaceAge.Worker.Tests.Channels;

public class PendingWaitTests
{
    [Fact]
    public async Task A_wait_that_completes_in_time_is_reported_completed()
    {
        var pending = new TaskCompletionSource<bool>();
        var waiting = pending.Task.CompletesWithinAsync(TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        pending.SetResult(true);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_wait_still_pending_at_the_timeout_is_reported_pending_without_an_exception()
    {
        var pending = new TaskCompletionSource<bool>();
        var clock = Stopwatch.StartNew();
        bool completed = await pending.Task.CompletesWithinAsync(TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(completed);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(180), $"returned after {clock.Elapsed.TotalMilliseconds:0} ms, before its timeout");
        Assert.False(pending.Task.IsCompleted); // the input's wait itself goes on
        pending.SetResult(true);
        Assert.True(await pending.Task.CompletesWithinAsync(TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None));
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_early_and_reports_it_pending()
    {
        using var cancel = new CancellationTokenSource();
        var pending = new TaskCompletionSource<bool>();
        var waiting = pending.Task.CompletesWithinAsync(TimeSpan.FromMinutes(5), TimeProvider.System, cancel.Token);
        cancel.Cancel();
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}

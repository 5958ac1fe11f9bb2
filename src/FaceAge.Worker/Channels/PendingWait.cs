namespace FaceAge.Worker.Channels;

/// <summary>
/// A stage's wait for its next input, bounded so that it can tick while its input is quiet. The timeout's timer ends
/// with the wait; a Task.Delay raced against the wait (Task.WhenAny) ran on for its whole length after every input.
/// </summary>
public static class PendingWait
{
    /// <summary>Waits for <paramref name="pending"/> at most <paramref name="timeout"/> (less if cancelled); true when it has completed.</summary>
    public static async Task<bool> CompletesWithinAsync(this Task pending, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!pending.IsCompleted)
            await pending.WaitAsync(timeout, clock, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return pending.IsCompleted;
    }
}

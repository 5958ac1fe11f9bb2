namespace FaceAge.Worker.Channels;

/// <summary>
/// Runs a stage that blocks in ONNX Runtime as a synchronous loop on its own thread. On thread-pool
/// threads, eight cameras' blocking inference calls starved the async frame readers, whose watchdogs
/// then saw false stalls (measured with 8 streams).
/// </summary>
public static class DedicatedThread
{
    public static Task Run(string name, Action stage)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                stage();
                done.SetResult();
            }
            catch (OperationCanceledException e)
            {
                done.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    /// <summary>Blocks this (dedicated) thread until the channel has an item or is completed.</summary>
    public static bool WaitToRead<T>(System.Threading.Channels.ChannelReader<T> reader, CancellationToken cancellationToken)
        => reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

    public static void Write<T>(System.Threading.Channels.ChannelWriter<T> writer, T item, CancellationToken cancellationToken)
    {
        if (!writer.TryWrite(item)) writer.WriteAsync(item, cancellationToken).AsTask().GetAwaiter().GetResult();
    }
}

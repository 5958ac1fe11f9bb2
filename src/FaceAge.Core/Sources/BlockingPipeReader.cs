namespace FaceAge.Core.Sources;

/// <summary>
/// Fills whole frames from a pipe with blocking reads on a thread of its own. ffmpeg writes a frame in 32 KiB pieces
/// (about 40 for 720p I420), and an asynchronous read woke the socket engine's thread and then a pool thread for each
/// piece; a blocking read wakes only this thread, and the caller's continuation runs once per frame. The thread
/// sleeps between requests, so a read happens only when the caller asks for a frame, as before.
/// </summary>
internal sealed class BlockingPipeReader : IDisposable
{
    private readonly Stream _pipe;
    private readonly SemaphoreSlim _requested = new(0);
    private readonly Thread _thread;
    private IntPtr _destination;
    private int _bytes;
    private TaskCompletionSource<bool>? _pending;
    private volatile bool _disposed;

    public BlockingPipeReader(Stream pipe, string name)
    {
        _pipe = pipe;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>
    /// Fills <paramref name="bytes"/> bytes at <paramref name="destination"/>: true when filled, false at the end of
    /// the stream. One request at a time; the buffer must stay valid until the task completes, even if its caller
    /// stops waiting for it.
    /// </summary>
    public Task<bool> FillAsync(IntPtr destination, int bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending is { Task.IsCompleted: false }) throw new InvalidOperationException("a frame is already being read");
        var pending = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        (_destination, _bytes, _pending) = (destination, bytes, pending);
        _requested.Release();
        return pending.Task;
    }

    private unsafe void Run()
    {
        while (true)
        {
            _requested.Wait();
            if (_disposed && _pending is not { Task.IsCompleted: false }) return;
            var pending = _pending!;
            try
            {
                var target = new Span<byte>((void*)_destination, _bytes);
                int read = 0;
                while (read < target.Length)
                {
                    int n = _pipe.Read(target[read..]);
                    if (n == 0) break;
                    read += n;
                }
                pending.SetResult(read == target.Length);
            }
            catch (Exception e)
            {
                // The pipe closed under a read (the source was disposed): the same as its end.
                if (e is ObjectDisposedException) pending.SetResult(false);
                else pending.SetException(e);
            }
        }
    }

    /// <summary>
    /// Lets the thread end: at once when idle, otherwise after the read in progress, which ends when the writer
    /// closes its end (the caller stops ffmpeg first).
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _requested.Release();
    }
}

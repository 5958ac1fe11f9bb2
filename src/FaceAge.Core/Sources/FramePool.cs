using System.Collections.Concurrent;
using OpenCvSharp;

namespace FaceAge.Core.Sources;

/// <summary>
/// Frame buffers of one size, reused: a 720p BGR frame is 2.7 MB, and allocating one per frame for several
/// cameras at 10 fps costs page faults and fragments native memory. At most <paramref name="capacity"/> idle
/// buffers are kept; the rest are freed.
/// </summary>
public sealed class FramePool(int width, int height, int capacity) : IDisposable
{
    private readonly ConcurrentBag<Mat> _idle = [];
    private volatile bool _disposed;

    public int Width { get; } = width;
    public int Height { get; } = height;

    public Mat Rent() => _idle.TryTake(out var mat) ? mat : new Mat(Height, Width, MatType.CV_8UC3);

    public void Return(Mat mat)
    {
        if (mat.IsDisposed) return;
        if (!_disposed && mat.Width == Width && mat.Height == Height && _idle.Count < capacity) _idle.Add(mat);
        else mat.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var mat)) mat.Dispose();
    }
}

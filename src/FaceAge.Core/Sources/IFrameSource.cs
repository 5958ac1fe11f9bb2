using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Sources;

/// <summary>
/// A decoded frame: its pixels (I420 from a video source, converted to BGR only as far as asked; or BGR), its index
/// from the start of the read, and its time in the source (media time).
/// </summary>
public sealed class VideoFrame : IDisposable
{
    private readonly Mat? _bgr;
    private readonly MatPool? _pool;
    private readonly I420Image? _i420;

    /// <summary>A BGR frame; its buffer goes back to <paramref name="pool"/> (or is freed) on dispose.</summary>
    public VideoFrame(Mat image, long index, TimeSpan time, MatPool? pool = null)
    {
        _bgr = image;
        _pool = pool;
        Pixels = new BgrImage(image);
        Index = index;
        Time = time;
    }

    /// <summary>An I420 frame, which it owns from now on.</summary>
    public VideoFrame(I420Image pixels, long index, TimeSpan time)
    {
        _i420 = pixels;
        Pixels = pixels;
        Index = index;
        Time = time;
    }

    public IFrameImage Pixels { get; }
    /// <summary>The whole frame in BGR (made on first use for an I420 frame).</summary>
    public Mat Image => Pixels.Bgr;
    public int Width => Pixels.Width;
    public int Height => Pixels.Height;
    public long Index { get; }
    public TimeSpan Time { get; }

    /// <summary>Gives the pixels back to the pool they came from (or frees them).</summary>
    public void Dispose()
    {
        if (_i420 is not null) _i420.Dispose();
        else if (_pool is not null) _pool.Return(_bgr!);
        else _bgr!.Dispose();
    }
}

/// <summary>What to read and how the frames should come out.</summary>
public sealed record FrameSourceOptions(string Url)
{
    /// <summary>Frames per second taken from the source (0 = every frame).</summary>
    public double MaxFps { get; init; }
    /// <summary>Frames are scaled to this width, keeping the aspect ratio (0 = the source width).</summary>
    public int Width { get; init; }
    /// <summary>Part of the source frame to keep, in source pixels (before scaling).</summary>
    public (int X, int Y, int Width, int Height)? Crop { get; init; }
    /// <summary>Files: read at the file's own rate, like a camera (streams are real-time anyway).</summary>
    public bool RealTime { get; init; }
    /// <summary>Files: start this far into the file (resuming a read that broke off).</summary>
    public TimeSpan StartAt { get; init; }
    /// <summary>How long opening the source (ffprobe) may take.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public SourceKind Kind => SourceKind.Of(Url);
}

/// <summary>
/// Frames from one video source, in order. Open, then read until null (the end: <see cref="Failure"/> says whether
/// it ended normally). Disposing stops the source at once; a read waiting for a frame then returns null.
/// </summary>
public interface IFrameSource : IAsyncDisposable
{
    /// <summary>The source's stream, known after <see cref="OpenAsync"/>.</summary>
    StreamInfo Stream { get; }
    /// <summary>Size of the frames read.</summary>
    (int Width, int Height) FrameSize { get; }
    /// <summary>Frames per second read (the source rate, or MaxFps when lower).</summary>
    double FramesPerSecond { get; }
    /// <summary>After the end: null when the source ended normally (a file's end), else why it stopped.</summary>
    string? Failure { get; }

    Task OpenAsync(CancellationToken cancellationToken);
    ValueTask<VideoFrame?> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Makes frame sources (the worker opens a new one after each failure; tests give a fake one).</summary>
public interface IFrameSourceFactory
{
    IFrameSource Create(FrameSourceOptions options);
}

public static class FrameSourceExtensions
{
    /// <summary>Every frame of the source, opened first and disposed at the end.</summary>
    public static async IAsyncEnumerable<VideoFrame> FramesAsync(this IFrameSource source,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using (source)
        {
            await source.OpenAsync(cancellationToken);
            while (await source.ReadAsync(cancellationToken) is { } frame) yield return frame;
            if (source.Failure is { } failure) throw new InvalidDataException(failure);
        }
    }
}

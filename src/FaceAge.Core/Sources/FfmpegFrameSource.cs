using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FaceAge.Core.Imaging;

namespace FaceAge.Core.Sources;

/// <summary>
/// Reads any <see cref="SourceKind"/> through a system ffmpeg child process writing raw frames to stdout
/// (OpenCV's bundled FFmpeg lacks network input, and a child process decodes beside the pipeline). ffprobe
/// opens the source first, with a time limit, for its size and rate. ffmpeg decodes on one thread and hands over
/// I420 (half the bytes of BGR through the pipe), read straight into a pooled buffer by a thread of the source's own
/// (<see cref="BlockingPipeReader"/>); frames stay I420 and are
/// converted to BGR only as far as a consumer asks (<see cref="I420Image"/>). A frame's time is media time (frame index
/// over the output rate, from <see cref="FrameSourceOptions.StartAt"/>).
/// </summary>
public sealed partial class FfmpegFrameSource(FrameSourceOptions options) : IFrameSource
{
    private Process? _process;
    private Task<string>? _stderr;
    private BlockingPipeReader? _reader;
    private MatPool? _yuvPool, _bgrPool;
    private long _index;
    private int _frameBytes;
    private bool _stopped;

    public FrameSourceOptions Options { get; } = options;
    public SourceKind Kind { get; } = options.Kind;
    public StreamInfo Stream { get; private set; } = new(0, 0, 0, null);
    public (int Width, int Height) FrameSize { get; private set; }
    public double FramesPerSecond { get; private set; }
    public string? Failure { get; private set; }

    /// <summary>Idle frame buffers kept for reuse; frames in flight come back when disposed.</summary>
    public int PoolCapacity { get; init; } = 8;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        Stream = await ProbeAsync(cancellationToken);
        FrameSize = OutputSize(Options, Stream.Width, Stream.Height);
        FramesPerSecond = Options.MaxFps > 0 && (Stream.FramesPerSecond <= 0 || Options.MaxFps < Stream.FramesPerSecond) ? Options.MaxFps
            : Stream.FramesPerSecond > 0 ? Stream.FramesPerSecond : 25;
        _frameBytes = FrameSize.Width * FrameSize.Height * 3 / 2;
        _yuvPool = new MatPool(FrameSize.Height * 3 / 2, FrameSize.Width, OpenCvSharp.MatType.CV_8UC1, PoolCapacity);
        _bgrPool = new MatPool(FrameSize.Height, FrameSize.Width, OpenCvSharp.MatType.CV_8UC3, PoolCapacity);
        _process = Start("ffmpeg", Arguments(Options, Stream.Width, Stream.Height));
        WidenPipe(_process.StandardOutput.BaseStream, _frameBytes);
        _reader = new BlockingPipeReader(_process.StandardOutput.BaseStream, "ffmpeg frames");
        _stderr = _process.StandardError.ReadToEndAsync(CancellationToken.None);
    }

    public async ValueTask<VideoFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_reader is null || _yuvPool is null) throw new InvalidOperationException("Open the source first.");
        var pool = _yuvPool;
        // The buffer being filled is rented, so disposing the source (which frees only idle buffers) cannot free it under the read.
        var yuv = pool.Rent();
        var fill = _reader.FillAsync(yuv.Data, _frameBytes);
        bool filled;
        try
        {
            filled = await fill.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The blocking read still writes into the buffer: it goes back only when that read is over.
            _ = fill.ContinueWith(_ => pool.Return(yuv), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        catch
        {
            pool.Return(yuv);
            throw;
        }
        if (!filled)
        {
            pool.Return(yuv);
            await EndAsync(cancellationToken);
            return null;
        }
        var time = Options.StartAt + TimeSpan.FromSeconds(_index / FramesPerSecond);
        return new VideoFrame(new I420Image(yuv, FrameSize.Width, FrameSize.Height, pool, _bgrPool), _index++, time);
    }

    /// <summary>Why the stream ended: a file that ffmpeg read to its end is a normal end; anything else is a failure.</summary>
    private async Task EndAsync(CancellationToken cancellationToken)
    {
        if (_stopped) { Failure = "stopped"; return; }
        await _process!.WaitForExitAsync(cancellationToken);
        var error = (await _stderr!).Trim().Split('\n').LastOrDefault()?.Trim();
        // ffmpeg exits 0 when a network stream is dropped: still a failure for a camera.
        Failure = Kind.IsFile && _process.ExitCode == 0 ? null
            : string.IsNullOrEmpty(error) ? $"stream ended (ffmpeg exit {_process.ExitCode})" : error;
    }

    private async Task<StreamInfo> ProbeAsync(CancellationToken cancellationToken)
    {
        var url = Options.Url;
        using var process = Start("ffprobe", ["-v", "error", .. Kind.ProbeFlags, "-select_streams", "v:0", .. FfprobeOutput.Entries, url]);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.ProbeTimeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var info = process.ExitCode == 0 ? FfprobeOutput.Parse(await stdout) : null;
            if (info is not null) return info;
            var error = (await stderr).Trim().Split('\n').LastOrDefault()?.Trim();
            throw new InvalidDataException($"cannot open {SourceKind.Redact(url)}: {(string.IsNullOrEmpty(error) ? "no video stream" : error)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new InvalidDataException($"no answer from {SourceKind.Redact(url)} within {Options.ProbeTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Output size: the crop (or the source), scaled to the configured width with the aspect kept, even numbers.</summary>
    public static (int Width, int Height) OutputSize(FrameSourceOptions options, int sourceWidth, int sourceHeight)
    {
        int w = options.Crop?.Width ?? sourceWidth, h = options.Crop?.Height ?? sourceHeight;
        if (options.Width <= 0 || options.Width >= w) return (w / 2 * 2, h / 2 * 2);
        int outW = options.Width / 2 * 2;
        int outH = (int)Math.Round(outW * (double)h / w / 2) * 2;
        return (outW, Math.Max(2, outH));
    }

    /// <summary>The ffmpeg command line: the kind's input flags, then crop → fps → scale to raw BGR on stdout.</summary>
    public static List<string> Arguments(FrameSourceOptions options, int sourceWidth, int sourceHeight)
    {
        // One decoder thread per source: several cameras already keep the cores busy, and ffmpeg's threads cost more CPU per frame.
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1" };
        args.AddRange(options.Kind.InputFlags(options.RealTime));
        if (options.StartAt > TimeSpan.Zero && options.Kind.IsFile)
            args.AddRange(["-ss", options.StartAt.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)]);
        args.AddRange(["-i", options.Url]);
        var (w, h) = OutputSize(options, sourceWidth, sourceHeight);
        var filters = new List<string>();
        if (options.Crop is { } r) filters.Add($"crop={r.Width}:{r.Height}:{r.X}:{r.Y}");
        if (options.MaxFps > 0) filters.Add($"fps={options.MaxFps.ToString(CultureInfo.InvariantCulture)}");
        filters.Add($"scale={w}:{h}");
        args.AddRange(["-an", "-sn", "-vf", string.Join(',', filters), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]);
        return args;
    }

    private static Process Start(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is not installed or not on PATH (apt-get install ffmpeg): {e.Message}", e);
        }
    }

    /// <summary>
    /// Grows the stdout pipe towards one whole frame (Linux pipes hold 64 KiB; unprivileged processes may ask up to
    /// /proc/sys/fs/pipe-max-size, 1 MiB by default): a 720p I420 frame then crosses in two or three reads instead of
    /// about twenty, each of which woke a thread of ours and one of ffmpeg's. Best effort: elsewhere nothing changes.
    /// </summary>
    private static void WidenPipe(Stream stdout, int frameBytes)
    {
        if (!OperatingSystem.IsLinux() || stdout is not System.IO.Pipes.PipeStream pipe) return;
        int fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        // F_SETPIPE_SZ fails with EPERM above the limit: try the frame size, then the usual limit.
        foreach (int size in new[] { frameBytes, 1 << 20 })
            if (fcntl(fd, F_SETPIPE_SZ, size) >= 0) return;
    }

    private const int F_SETPIPE_SZ = 1031;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>Stops ffmpeg; a read waiting for a frame ends (null). Frames already handed out stay valid.</summary>
    public ValueTask DisposeAsync()
    {
        _stopped = true;
        if (_process is { } p)
        {
            Kill(p);
            _reader?.Dispose();
            p.Dispose();
        }
        _yuvPool?.Dispose();
        _bgrPool?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The one frame source implementation: ffmpeg.</summary>
public sealed class FfmpegFrameSourceFactory : IFrameSourceFactory
{
    public IFrameSource Create(FrameSourceOptions options) => new FfmpegFrameSource(options);
}

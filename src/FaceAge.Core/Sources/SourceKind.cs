namespace FaceAge.Core.Sources;

/// <summary>
/// A kind of video source that ffmpeg reads: which URLs it takes and the input flags it needs. A new kind is one
/// class here plus one entry in <see cref="All"/> (the table, searched in order; files last, as they match anything).
/// </summary>
public abstract class SourceKind
{
    public static readonly IReadOnlyList<SourceKind> All = [new RtspSource(), new HttpSource(), new V4l2DeviceSource(), new DirectShowDeviceSource(),
        new FileSource()];

    public static SourceKind Of(string url) => All.First(k => k.Matches(url));

    public abstract string Name { get; }
    public abstract bool Matches(string url);

    /// <summary>Flags before "-i" for ffprobe (opening the source to read its size and rate).</summary>
    public virtual IReadOnlyList<string> ProbeFlags => [];

    /// <summary>Flags before "-i" for ffmpeg. <paramref name="realTime"/>: read at the source's own rate (files only; streams are real-time anyway).</summary>
    public virtual IReadOnlyList<string> InputFlags(bool realTime) => ProbeFlags;

    /// <summary>Live sources drop frames when the pipeline is behind; others (files) wait for it.</summary>
    public virtual bool LiveByDefault => true;

    /// <summary>A file: its end is normal (ffmpeg exits 0 at the end); it can loop and be resumed at a time.</summary>
    public virtual bool IsFile => false;

    /// <summary>URLs may carry credentials (rtsp://user:pass@host); never log them.</summary>
    public static string Redact(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.UserInfo) ? url.Replace(uri.UserInfo + "@", "***@") : url;

    public override string ToString() => Name;
}

public sealed class RtspSource : SourceKind
{
    public override string Name => "rtsp";
    public override bool Matches(string url) => url.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase);
    // TCP: no lost UDP packets (smeared frames).
    public override IReadOnlyList<string> ProbeFlags => ["-rtsp_transport", "tcp"];
    // -timeout (µs) stops a dead socket from hanging ffmpeg.
    public override IReadOnlyList<string> InputFlags(bool realTime) => ["-rtsp_transport", "tcp", "-timeout", "5000000"];
}

public sealed class HttpSource : SourceKind
{
    public override string Name => "http";
    public override bool Matches(string url) => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
    // The watchdog restarts a dropped stream; ffmpeg's own reconnect would hide the drop from it.
    public override IReadOnlyList<string> InputFlags(bool realTime) => ["-rw_timeout", "5000000", "-reconnect", "0"];
}

public sealed class V4l2DeviceSource : SourceKind
{
    public override string Name => "v4l2";
    public override bool Matches(string url) => url.StartsWith("/dev/video", StringComparison.Ordinal);
    public override IReadOnlyList<string> ProbeFlags => ["-f", "v4l2"];
}

public sealed class DirectShowDeviceSource : SourceKind
{
    public override string Name => "dshow";
    public override bool Matches(string url) => url.StartsWith("video=", StringComparison.OrdinalIgnoreCase);
    public override IReadOnlyList<string> ProbeFlags => ["-f", "dshow"];
}

public sealed class FileSource : SourceKind
{
    public override string Name => "file";
    public override bool Matches(string url) => true;
    // -re reads at the file's own rate, like a camera. Looping is done by reading again from the start:
    // -stream_loop with -re was measured to stall for seconds at the wrap.
    public override IReadOnlyList<string> InputFlags(bool realTime) => realTime ? ["-re"] : [];
    public override bool LiveByDefault => false;
    public override bool IsFile => true;
}

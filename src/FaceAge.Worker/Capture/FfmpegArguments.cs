using System.Globalization;
using FaceAge.Worker.Configuration;

namespace FaceAge.Worker.Capture;

/// <summary>The ffmpeg command line for one camera: input options by source kind, then crop → fps → scale to raw BGR.</summary>
public static class FfmpegArguments
{
    public static (int Width, int Height) OutputSize(CameraOptions camera, int sourceWidth, int sourceHeight)
    {
        int w = camera.RegionOfInterest?.Width ?? sourceWidth, h = camera.RegionOfInterest?.Height ?? sourceHeight;
        if (camera.DetectionWidth <= 0 || camera.DetectionWidth >= w) return (w / 2 * 2, h / 2 * 2);
        int outW = camera.DetectionWidth / 2 * 2;
        int outH = (int)Math.Round(outW * (double)h / w / 2) * 2;
        return (outW, Math.Max(2, outH));
    }

    public static List<string> Input(CameraOptions camera)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        switch (camera.Kind)
        {
            case SourceKind.Rtsp:
                // TCP: no lost UDP packets (smeared frames); -timeout (µs) stops a dead socket hanging ffmpeg.
                args.AddRange(["-rtsp_transport", "tcp", "-timeout", "5000000"]);
                break;
            case SourceKind.Http:
                args.AddRange(["-rw_timeout", "5000000", "-reconnect", "0"]);
                break;
            case SourceKind.File:
                // Read at the file's own rate, like a camera. Loop is done by the reader restarting
                // ffmpeg at the end: -stream_loop with -re was measured to stall for seconds at the wrap.
                args.Add("-re");
                break;
            case SourceKind.Device:
                if (camera.Url.StartsWith("video=", StringComparison.OrdinalIgnoreCase)) args.AddRange(["-f", "dshow"]);
                else args.AddRange(["-f", "v4l2"]);
                break;
        }
        args.AddRange(["-i", camera.Url]);
        return args;
    }

    public static List<string> Build(CameraOptions camera, int sourceWidth, int sourceHeight)
    {
        var args = Input(camera);
        var (w, h) = OutputSize(camera, sourceWidth, sourceHeight);
        var filters = new List<string>();
        if (camera.RegionOfInterest is { } r) filters.Add($"crop={r.Width}:{r.Height}:{r.X}:{r.Y}");
        if (camera.MaxFps > 0) filters.Add($"fps={camera.MaxFps.ToString(CultureInfo.InvariantCulture)}");
        filters.Add($"scale={w}:{h}");
        args.AddRange(["-an", "-sn", "-vf", string.Join(',', filters), "-f", "rawvideo", "-pix_fmt", "bgr24", "-"]);
        return args;
    }
}

using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace FaceAge.Core.Capture;

/// <summary>A decoded frame: BGR pixels, its index and its time in the source.</summary>
public sealed record VideoFrame(Mat Image, long Index, TimeSpan Time) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// Decodes a video file or stream with a system ffmpeg child process writing raw BGR frames to stdout
/// (OpenCV's bundled FFmpeg lacks network input, and a child process decodes faster).
/// </summary>
public sealed class FfmpegVideoReader
{
    public static StreamInfo Probe(string source, CancellationToken cancellationToken = default)
    {
        var output = RunTool("ffprobe", ["-v", "error", "-select_streams", "v:0", .. FfprobeOutput.Entries, source], cancellationToken);
        return FfprobeOutput.Parse(output) ?? throw new InvalidDataException($"{source}: no video stream found.");
    }

    /// <summary>Frames of a video file, optionally resampled to <paramref name="sampleFps"/> frames per second.</summary>
    public static IEnumerable<VideoFrame> ReadFile(string path, double? sampleFps = null, CancellationToken cancellationToken = default)
    {
        var info = Probe(path, cancellationToken);
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", path, "-an", "-sn" };
        if (sampleFps is { } f) args.AddRange(["-vf", $"fps={f.ToString(CultureInfo.InvariantCulture)}"]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "bgr24", "-"]);
        double frameRate = sampleFps ?? (info.FramesPerSecond > 0 ? info.FramesPerSecond : 25);

        var psi = new ProcessStartInfo("ffmpeg", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = StartTool(psi);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.BaseStream;
        int frameBytes = info.Width * info.Height * 3;
        var buffer = new byte[frameBytes];
        long index = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int read = 0;
                while (read < frameBytes)
                {
                    int n = stdout.Read(buffer, read, frameBytes - read);
                    if (n == 0) break;
                    read += n;
                }
                if (read < frameBytes) break;
                var image = Mat.FromPixelData(info.Height, info.Width, MatType.CV_8UC3, buffer).Clone();
                yield return new VideoFrame(image, index, TimeSpan.FromSeconds(index / frameRate));
                index++;
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidDataException($"{path}: ffmpeg failed (exit {process.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static Process StartTool(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{psi.FileName} is not installed or not on PATH (apt-get install ffmpeg): {e.Message}", e);
        }
    }

    private static string RunTool(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = StartTool(psi);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidDataException($"{tool} failed: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        return output;
    }
}

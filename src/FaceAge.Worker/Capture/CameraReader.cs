using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace FaceAge.Worker.Capture;

/// <summary>
/// Reads one camera through a system ffmpeg child process writing raw BGR frames to stdout, and keeps it
/// alive: a stall (no frame for StallSeconds) or a rate far below the expected one kills the reader, an
/// ended or failed stream is restarted with exponential back-off and jitter. Files without Loop end.
/// One reader never waits on another camera.
/// </summary>
public sealed class CameraReader(CameraOptions camera, WatchdogOptions watchdog, WorkerMetrics metrics, ILogger logger, Action<CameraStatus> onStatus)
{
    private readonly Backoff _backoff = new(TimeSpan.FromSeconds(watchdog.BackoffInitialSeconds), TimeSpan.FromSeconds(watchdog.BackoffMaxSeconds));
    private long _sequence;

    public async Task RunAsync(ChannelWriter<CameraFrame> output, CancellationToken cancellationToken)
    {
        metrics.CameraUp.WithLabels(camera.Id).Set(0);
        bool first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!first)
            {
                metrics.Reconnects.WithLabels(camera.Id).Inc();
                Report(CameraState.Connecting, null);
            }
            else if (_sequence == 0) Report(CameraState.Connecting, null);
            first = false;
            string reason;
            var started = DateTimeOffset.UtcNow;
            try
            {
                var outcome = await ReadOnceAsync(output, cancellationToken);
                if (outcome is null)
                {
                    if (camera.Loop)
                    {
                        // A looped file starts over at once; that is not a failure.
                        first = true;
                        continue;
                    }
                    Report(CameraState.Ended, "end of file");
                    return;
                }
                reason = outcome;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException or System.ComponentModel.Win32Exception)
            {
                reason = e.Message;
            }
            metrics.CameraUp.WithLabels(camera.Id).Set(0);
            // A run that delivered frames for a while resets the back-off: the next failure is a new incident.
            if (DateTimeOffset.UtcNow - started > TimeSpan.FromSeconds(30)) _backoff.Reset();
            var delay = _backoff.Next();
            Report(CameraState.Offline, reason);
            logger.LogWarning("Camera {Camera} offline ({Reason}); retrying in {Delay:0.0} s", camera.Id, reason, delay.TotalSeconds);
            try { await Task.Delay(delay, cancellationToken); } catch (OperationCanceledException) { break; }
        }
        metrics.CameraUp.WithLabels(camera.Id).Set(0);
    }

    /// <summary>One ffmpeg run. Returns null when a file ended normally, else why the stream stopped.</summary>
    private async Task<string?> ReadOnceAsync(ChannelWriter<CameraFrame> output, CancellationToken cancellationToken)
    {
        var (srcW, srcH, srcFps) = await ProbeAsync(cancellationToken);
        var (w, h) = FfmpegArguments.OutputSize(camera, srcW, srcH);
        double expectedFps = camera.MaxFps > 0 && (srcFps <= 0 || camera.MaxFps < srcFps) ? camera.MaxFps : srcFps;
        var psi = new ProcessStartInfo("ffmpeg", FfmpegArguments.Build(camera, srcW, srcH)) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffmpeg");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.BaseStream;
        var monitor = new FrameRateMonitor(expectedFps, watchdog.MinRateFraction, TimeSpan.FromSeconds(10));
        monitor.Started(DateTimeOffset.UtcNow);
        int frameBytes = w * h * 3;
        var stall = TimeSpan.FromSeconds(watchdog.StallSeconds);
        bool online = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var image = new Mat(h, w, MatType.CV_8UC3);
                bool handedOver = false;
                try
                {
                    var read = ReadFrameAsync(stdout, image, frameBytes, cancellationToken);
                    var finished = await Task.WhenAny(read, Task.Delay(stall, cancellationToken));
                    // Shutdown cancels the stall timer too; that is not a stall.
                    cancellationToken.ThrowIfCancellationRequested();
                    if (finished != read)
                    {
                        // ffmpeg can hang on a frozen stream; killing it ends the pending read.
                        Kill(process);
                        await ((Task)read).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        return $"no frame for {stall.TotalSeconds:0.#} s";
                    }
                    if (!await read)
                    {
                        await process.WaitForExitAsync(cancellationToken);
                        var error = (await stderr).Trim().Split('\n').LastOrDefault()?.Trim();
                        if (camera.Kind == SourceKind.File && process.ExitCode == 0) return null;
                        // ffmpeg exits 0 when a network stream is dropped: still a failure for a camera.
                        return string.IsNullOrEmpty(error) ? $"stream ended (ffmpeg exit {process.ExitCode})" : error;
                    }
                    var now = DateTimeOffset.UtcNow;
                    if (!online)
                    {
                        online = true;
                        metrics.CameraUp.WithLabels(camera.Id).Set(1);
                        if (_reported != CameraState.Online)
                            logger.LogInformation("Camera {Camera} online: {Width}x{Height} at {Fps:0.#} fps", camera.Id, w, h, expectedFps);
                        Report(CameraState.Online, null);
                    }
                    monitor.Frame(now);
                    metrics.FramesDecoded.WithLabels(camera.Id).Inc();
                    await output.WriteAsync(new CameraFrame(camera.Id, image, _sequence++, now), cancellationToken);
                    handedOver = true;
                    if (monitor.TooSlow(now))
                    {
                        Kill(process);
                        return $"frame rate {monitor.Rate(now):0.0} fps is far below the expected {expectedFps:0.#} fps";
                    }
                }
                finally
                {
                    if (!handedOver) image.Dispose();
                }
            }
            return "stopped";
        }
        finally
        {
            Kill(process);
        }
    }

    private static async Task<bool> ReadFrameAsync(Stream stdout, Mat image, int frameBytes, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(frameBytes);
        try
        {
            int read = 0;
            while (read < frameBytes)
            {
                int n = await stdout.ReadAsync(buffer.AsMemory(read, frameBytes - read), cancellationToken);
                if (n == 0) return false;
                read += n;
            }
            System.Runtime.InteropServices.Marshal.Copy(buffer, 0, image.Data, frameBytes);
            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(int Width, int Height, double Fps)> ProbeAsync(CancellationToken cancellationToken)
    {
        var args = new List<string> { "-v", "error" };
        if (camera.Kind == SourceKind.Rtsp) args.AddRange(["-rtsp_transport", "tcp"]);
        if (camera.Kind == SourceKind.Device) args.AddRange(["-f", camera.Url.StartsWith("video=", StringComparison.OrdinalIgnoreCase) ? "dshow" : "v4l2"]);
        args.AddRange(["-select_streams", "v:0", .. FaceAge.Core.Capture.FfprobeOutput.Entries, camera.Url]);
        using var process = Process.Start(new ProcessStartInfo("ffprobe", args) { RedirectStandardOutput = true, RedirectStandardError = true })
                            ?? throw new InvalidOperationException("could not start ffprobe");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(watchdog.ProbeTimeoutSeconds));
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var info = process.ExitCode == 0 ? FaceAge.Core.Capture.FfprobeOutput.Parse(await stdout) : null;
            if (info is null)
                throw new InvalidDataException($"cannot open {Redact(camera.Url)}: {(await stderr).Trim().Split('\n').LastOrDefault()?.Trim()}");
            return (info.Width, info.Height, info.FramesPerSecond);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new InvalidDataException($"no answer from {Redact(camera.Url)} within {watchdog.ProbeTimeoutSeconds:0} s");
        }
    }

    /// <summary>URLs may carry credentials (rtsp://user:pass@host); never log them.</summary>
    public static string Redact(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.UserInfo) ? url.Replace(uri.UserInfo + "@", "***@") : url;

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

    private CameraState? _reported;

    /// <summary>Publishes state changes only (a looped file restarting is not news).</summary>
    private void Report(CameraState state, string? reason)
    {
        if (state == _reported && state != CameraState.Offline) return;
        _reported = state;
        onStatus(new CameraStatus(camera.Id, state, reason, DateTimeOffset.UtcNow));
    }
}

using System.Threading.Channels;
using FaceAge.Core.Sources;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Sources;

/// <summary>
/// Keeps one camera's frames coming: reads its <see cref="IFrameSource"/>, and when the stream fails, stalls (no
/// frame for StallSeconds) or, for a live source, runs far below its expected rate, stops it and opens it again
/// with exponential back-off and jitter. A file that waits for the pipeline is never judged by its rate; a file
/// that fails part-way is resumed where it broke off, never replayed from the start; a file's end ends the camera
/// (or starts it over with Loop). Every state change is reported, in order, as the event the sinks publish. One camera never waits on another.
/// </summary>
public sealed class CameraSupervisor(
    CameraOptions camera, WatchdogOptions watchdog, IFrameSourceFactory sources, WorkerMetrics metrics, ILogger logger,
    Func<CameraStatusChanged, CancellationToken, ValueTask> onStatus, TimeProvider? clock = null)
{
    private readonly Backoff _backoff = new(TimeSpan.FromSeconds(watchdog.BackoffInitialSeconds), TimeSpan.FromSeconds(watchdog.BackoffMaxSeconds));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private CameraState? _reported;
    private long _sequence;
    // Files: scene time = _epoch + media time. _mediaOffset carries it over loops; _resumeAt is where a broken read goes on.
    private DateTimeOffset? _epoch;
    private TimeSpan _mediaOffset, _resumeAt, _lastMediaTime;
    private double _lastFps;

    public async Task RunAsync(ChannelWriter<CameraFrame> output, CancellationToken cancellationToken)
    {
        metrics.CameraUp.WithLabels(camera.Id).Set(0);
        await ReportAsync(CameraState.Connecting, null, cancellationToken);
        bool failed = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (failed)
            {
                metrics.Reconnects.WithLabels(camera.Id).Inc();
                await ReportAsync(CameraState.Connecting, null, cancellationToken);
            }
            string reason;
            var started = _clock.GetUtcNow();
            try
            {
                var outcome = await ReadOnceAsync(output, cancellationToken);
                if (outcome is null)
                {
                    if (camera.Loop)
                    {
                        // A looped file starts over at once; that is not a failure, and its scene time goes on.
                        _mediaOffset += _lastMediaTime + TimeSpan.FromSeconds(_lastFps > 0 ? 1 / _lastFps : 0);
                        _resumeAt = TimeSpan.Zero;
                        failed = false;
                        continue;
                    }
                    await ReportAsync(CameraState.Ended, "end of file", cancellationToken);
                    logger.LogInformation("Camera {Camera}: end of file after {Frames} frames", camera.Id, _sequence);
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
            // A read that ended because the worker is shutting down is no camera failure: nothing to report or retry.
            if (cancellationToken.IsCancellationRequested) break;
            failed = true;
            metrics.CameraUp.WithLabels(camera.Id).Set(0);
            // A run that delivered frames for a while resets the back-off: the next failure is a new incident.
            if (_clock.GetUtcNow() - started > TimeSpan.FromSeconds(30)) _backoff.Reset();
            var delay = _backoff.Next();
            await ReportAsync(CameraState.Offline, reason, cancellationToken);
            logger.LogWarning("Camera {Camera} offline ({Reason}); retrying in {Delay:0.0} s{Resume}", camera.Id, reason, delay.TotalSeconds,
                camera.Kind.IsFile && _resumeAt > TimeSpan.Zero ? $" from {_resumeAt.TotalSeconds:0.0} s into the file" : "");
            try { await Task.Delay(delay, _clock, cancellationToken); } catch (OperationCanceledException) { break; }
        }
        metrics.CameraUp.WithLabels(camera.Id).Set(0);
    }

    /// <summary>One run of the source. Returns null when a file ended normally, else why the stream stopped.</summary>
    private async Task<string?> ReadOnceAsync(ChannelWriter<CameraFrame> output, CancellationToken cancellationToken)
    {
        await using var source = sources.Create(camera.SourceOptions(watchdog, _resumeAt));
        await source.OpenAsync(cancellationToken);
        double expectedFps = source.FramesPerSecond;
        _lastFps = expectedFps;
        // Only a live source is judged by its rate: a file that waits for the pipeline reads as slowly as the pipeline runs.
        var monitor = camera.IsLive ? new FrameRateMonitor(expectedFps, watchdog.MinRateFraction, TimeSpan.FromSeconds(10)) : null;
        monitor?.Started(_clock.GetUtcNow());
        var stall = TimeSpan.FromSeconds(watchdog.StallSeconds);
        bool online = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            // The stall clock runs only while waiting for the source, not while the pipeline holds the previous frame.
            var read = source.ReadAsync(cancellationToken).AsTask();
            VideoFrame? video;
            try
            {
                // The stall timer goes with the read (a Task.Delay per frame stayed queued for the whole stall time).
                video = await read.WaitAsync(stall, _clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                // ffmpeg can hang on a frozen stream: stopping the source ends the pending read.
                await source.DisposeAsync();
                try { (await read)?.Dispose(); } catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException) { }
                return $"no frame for {stall.TotalSeconds:0.#} s";
            }
            if (video is null) return source.Failure;

            var now = _clock.GetUtcNow();
            if (!online)
            {
                online = true;
                metrics.CameraUp.WithLabels(camera.Id).Set(1);
                if (_reported != CameraState.Online)
                    logger.LogInformation("Camera {Camera} online: {Width}x{Height} at {Fps:0.#} fps ({Kind})", camera.Id, source.FrameSize.Width,
                        source.FrameSize.Height, expectedFps, camera.Kind);
                await ReportAsync(CameraState.Online, null, cancellationToken);
            }
            monitor?.Frame(now);
            metrics.FramesDecoded.WithLabels(camera.Id).Inc();
            var frame = new CameraFrame(camera.Id, video, _sequence++, now, SceneTime(video.Time, now));
            try
            {
                await output.WriteAsync(frame, cancellationToken);
            }
            catch
            {
                frame.Dispose();
                throw;
            }
            if (monitor?.TooSlow(now) == true)
                return $"frame rate {monitor.Rate(now):0.0} fps is far below the expected {expectedFps:0.#} fps";
        }
        return "stopped";
    }

    /// <summary>Live: the capture time. Files: the camera's first frame time plus media time, and where a broken read resumes.</summary>
    private DateTimeOffset SceneTime(TimeSpan mediaTime, DateTimeOffset now)
    {
        if (!camera.Kind.IsFile) return now;
        _lastMediaTime = mediaTime;
        _resumeAt = mediaTime + TimeSpan.FromSeconds(_lastFps > 0 ? 1 / _lastFps : 0);
        _epoch ??= now - mediaTime;
        return _epoch.Value + _mediaOffset + mediaTime;
    }

    /// <summary>Reports state changes only (a looped file restarting is not news); each report is delivered, never dropped.</summary>
    private async ValueTask ReportAsync(CameraState state, string? reason, CancellationToken cancellationToken)
    {
        if (state == _reported && state != CameraState.Offline) return;
        _reported = state;
        await onStatus(new CameraStatusChanged(new CameraStatus(camera.Id, state, reason, _clock.GetUtcNow()), camera.Name), cancellationToken);
    }
}

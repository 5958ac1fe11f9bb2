using System.Threading.Channels;
using FaceAge.Core.Sources;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace FaceAge.Worker.Tests.Sources;

/// <summary>The camera supervisor with scripted frame sources: when it restarts a source, from where, and what it reports.</summary>
public class CameraSupervisorTests
{
    /// <summary>A source that gives <paramref name="frames"/> frames at <paramref name="fps"/> (media time), waiting
    /// <paramref name="gap"/> before each, then ends or fails.</summary>
    private sealed class ScriptedSource(FrameSourceOptions options, int frames, double fps, TimeSpan gap, string? failure) : IFrameSource
    {
        private int _read;
        public StreamInfo Stream { get; } = new(64, 48, fps, TimeSpan.FromSeconds(frames / fps));
        public (int Width, int Height) FrameSize => (64, 48);
        public double FramesPerSecond => fps;
        public string? Failure { get; private set; }
        public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async ValueTask<VideoFrame?> ReadAsync(CancellationToken cancellationToken)
        {
            if (_read >= frames)
            {
                Failure = failure;
                return null;
            }
            await Task.Delay(gap, cancellationToken);
            var time = options.StartAt + TimeSpan.FromSeconds(_read / fps);
            return new VideoFrame(new Mat(48, 64, MatType.CV_8UC3), _read++, time);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ScriptedSources(Func<int, FrameSourceOptions, IFrameSource> make) : IFrameSourceFactory
    {
        public readonly List<FrameSourceOptions> Opened = [];
        public IFrameSource Create(FrameSourceOptions options)
        {
            lock (Opened) Opened.Add(options);
            return make(Opened.Count - 1, options);
        }
    }

    private static readonly WatchdogOptions FastWatchdog = new() { StallSeconds = 1, BackoffInitialSeconds = 0.05, BackoffMaxSeconds = 0.1,
        MinRateFraction = 0.5 };

    private static string FileCamera()
        => Path.Combine(Directory.CreateTempSubdirectory("faceage-file").FullName, "clip.mp4").Also(p => File.WriteAllBytes(p, [0]));

    /// <summary>Runs the supervisor until <paramref name="limit"/>; its frames and the camera states it published, in order.</summary>
    private static async Task<(List<CameraFrame> Frames, List<CameraStatus> States)> Run(
        CameraOptions camera, IFrameSourceFactory sources, TimeSpan limit, WatchdogOptions? watchdog = null)
    {
        var channel = Channel.CreateUnbounded<CameraFrame>();
        var states = new List<CameraStatus>();
        var supervisor = new CameraSupervisor(camera, watchdog ?? FastWatchdog, sources, new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()),
            NullLogger.Instance, (e, _) =>
            {
                // The status goes to the sinks as it is: the event names the camera as the settings do.
                if (e.CameraName != camera.Name || e.CameraId != camera.Id)
                    throw new InvalidOperationException($"status of {e.CameraId} named '{e.CameraName}'");
                lock (states) states.Add(e.Status);
                return ValueTask.CompletedTask;
            });
        using var stop = new CancellationTokenSource(limit);
        try { await supervisor.RunAsync(channel.Writer, stop.Token); } catch (OperationCanceledException) { }
        var frames = new List<CameraFrame>();
        while (channel.Reader.TryRead(out var f)) frames.Add(f);
        return (frames, states);
    }

    [Fact]
    public async Task A_file_that_fails_part_way_is_resumed_where_it_broke_off_not_replayed()
    {
        var file = FileCamera();
        // First run: 5 frames at 10 fps, then ffmpeg fails; second run: the rest of the file (5 frames), then a normal end.
        var sources = new ScriptedSources((n, o) => n == 0 ? new ScriptedSource(o, 5, 10, TimeSpan.Zero, "decoder crashed")
            : new ScriptedSource(o, 5, 10, TimeSpan.Zero, null));
        var (frames, states) = await Run(new CameraOptions { Id = "clip", Name = "Clip", Url = file }, sources, TimeSpan.FromSeconds(10));

        Assert.Equal(2, sources.Opened.Count);
        Assert.Equal(TimeSpan.Zero, sources.Opened[0].StartAt);
        Assert.Equal(0.5, sources.Opened[1].StartAt.TotalSeconds, 3); // after frame 4 (0.4 s) comes 0.5 s
        Assert.Equal(10, frames.Count);
        var times = frames.Select(f => (f.Time - frames[0].Time).TotalSeconds).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i / 10.0), times.Select(t => Math.Round(t, 3))); // media time, seamless
        Assert.Equal([CameraState.Connecting, CameraState.Online, CameraState.Offline, CameraState.Connecting, CameraState.Online, CameraState.Ended],
            states.Select(s => s.State));
        Assert.Equal("decoder crashed", states[2].Reason);
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task A_file_that_waits_for_the_pipeline_is_never_judged_by_its_rate()
    {
        var file = FileCamera();
        // 10 fps media read at 2 frames a second (the pipeline is the limit) for 12 s: far below the rate a live camera must keep.
        var sources = new ScriptedSources((_, o) => new ScriptedSource(o, 24, 10, TimeSpan.FromMilliseconds(500), null));
        var (frames, states) = await Run(new CameraOptions { Id = "clip", Url = file, Live = false }, sources, TimeSpan.FromSeconds(20),
            FastWatchdog with { StallSeconds = 5 });
        Assert.Single(sources.Opened);
        Assert.DoesNotContain(states, s => s.State == CameraState.Offline);
        Assert.Equal(CameraState.Ended, states[^1].State);
        // Dwell follows media time: 24 frames at 10 fps span 2.3 s, though reading took 12 s.
        Assert.Equal(2.3, (frames[^1].Time - frames[0].Time).TotalSeconds, 3);
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task A_live_stream_far_below_its_rate_is_restarted()
    {
        var sources = new ScriptedSources((_, o) => new ScriptedSource(o, 1000, 10, TimeSpan.FromMilliseconds(400), null));
        var (frames, states) = await Run(new CameraOptions { Id = "cam", Url = "rtsp://127.0.0.1/x" }, sources, TimeSpan.FromSeconds(14),
            FastWatchdog with { StallSeconds = 3 });
        Assert.True(sources.Opened.Count >= 2, $"opened {sources.Opened.Count} time(s)");
        Assert.Contains(states, s => s.State == CameraState.Offline && s.Reason!.Contains("far below the expected 10 fps"));
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task A_looped_file_starts_over_with_scene_time_going_on()
    {
        var file = FileCamera();
        var sources = new ScriptedSources((_, o) => new ScriptedSource(o, 3, 10, TimeSpan.Zero, null));
        var (frames, states) = await Run(new CameraOptions { Id = "loop", Url = file, Loop = true }, sources, TimeSpan.FromMilliseconds(500));
        Assert.True(sources.Opened.Count >= 3);
        Assert.All(sources.Opened, o => Assert.Equal(TimeSpan.Zero, o.StartAt));
        var gaps = frames.Zip(frames.Skip(1), (a, b) => Math.Round((b.Time - a.Time).TotalSeconds, 3)).Distinct().ToList();
        Assert.Equal([0.1], gaps);
        Assert.DoesNotContain(states, s => s.State is CameraState.Offline or CameraState.Ended);
        frames.ForEach(f => f.Dispose());
    }
}

internal static class TestExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}

using System.Diagnostics;
using FaceAge.Core.Imaging;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Sources;

public class FfmpegFrameSourceTests
{
    /// <summary>A lossless (FFV1) video whose frame i is a flat grey of luma 20 + 10·i, so every frame can be recognised.</summary>
    private static string GreyRamp(int frames, double fps)
    {
        var dir = Directory.CreateTempSubdirectory("faceage-source").FullName;
        var path = Path.Combine(dir, "ramp.mkv");
        var frame = $"color=s=64x48:r={fps}:d={frames / fps},format=yuv420p,geq=lum=20+10*N:cb=128:cr=128";
        using var ffmpeg = Process.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", frame, "-c:v", "ffv1", path])!;
        ffmpeg.WaitForExit();
        Assert.Equal(0, ffmpeg.ExitCode);
        return path;
    }

    /// <summary>The mean of the frame's luma plane, as ffmpeg handed it over.</summary>
    private static double MeanLuma(VideoFrame frame)
    {
        var yuv = Assert.IsType<I420Image>(frame.Pixels).Yuv;
        using var luma = yuv.RowRange(0, frame.Height);
        return Cv2.Mean(luma).Val0;
    }

    [Fact]
    public async Task Every_frame_of_a_file_is_read_whole_and_in_order_then_the_end_is_normal()
    {
        var video = GreyRamp(frames: 8, fps: 10);
        await using var source = new FfmpegFrameSource(new FrameSourceOptions(video));
        await source.OpenAsync(CancellationToken.None);
        Assert.Equal((64, 48), source.FrameSize);

        var lumas = new List<double>();
        while (await source.ReadAsync(CancellationToken.None) is { } frame)
            using (frame)
            {
                Assert.Equal(lumas.Count, frame.Index);
                lumas.Add(MeanLuma(frame));
            }

        Assert.Equal(8, lumas.Count);
        for (int i = 0; i < lumas.Count; i++) Assert.Equal(20 + 10 * i, lumas[i], precision: 3);
        Assert.Null(source.Failure);
    }

    [Fact]
    public async Task Stopping_the_source_ends_a_read_that_waits_for_a_frame()
    {
        // Read at the file's own rate, one frame every 5 s: the second read waits.
        var video = GreyRamp(frames: 3, fps: 0.2);
        var source = new FfmpegFrameSource(new FrameSourceOptions(video) { RealTime = true });
        await source.OpenAsync(CancellationToken.None);
        (await source.ReadAsync(CancellationToken.None))!.Dispose();

        var waiting = source.ReadAsync(CancellationToken.None).AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await source.DisposeAsync();

        // The next frame is about 5 s away: the read ends because ffmpeg was stopped.
        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.Equal("stopped", source.Failure);
    }

    [Fact]
    public async Task Cancelling_a_waiting_read_returns_at_once_and_the_source_can_still_be_stopped()
    {
        var video = GreyRamp(frames: 3, fps: 0.2);
        await using var source = new FfmpegFrameSource(new FrameSourceOptions(video) { RealTime = true });
        await source.OpenAsync(CancellationToken.None);
        (await source.ReadAsync(CancellationToken.None))!.Dispose();

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.ReadAsync(cancel.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(3)));
    }
}

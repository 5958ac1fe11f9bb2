using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>What the detector and precision benches and face-check training paste faces with: sizes and backgrounds.</summary>
internal static class PastedFaces
{
    /// <summary>Face sizes in pixels: faces are pasted, and recall measured, at each.</summary>
    public static readonly int[] Sizes = [24, 32, 48, 64, 96, 128, 160];

    /// <summary>Up to 30 frames of a video, one a second, as the backgrounds of the pasted faces.</summary>
    public static List<Mat> BackgroundsFrom(string video)
        => new FfmpegFrameSource(new FrameSourceOptions(video) { MaxFps = 1 }).FramesAsync().ToBlockingEnumerable()
            .Take(30).Select(f => { using (f) return f.Image.Clone(); }).ToList();
}

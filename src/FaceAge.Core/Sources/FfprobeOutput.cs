using System.Globalization;

namespace FaceAge.Core.Sources;

/// <summary>What ffprobe says of a video stream.</summary>
public sealed record StreamInfo(int Width, int Height, double FramesPerSecond, TimeSpan? Duration);

/// <summary>
/// Parses `ffprobe -show_entries stream=width,height,avg_frame_rate,r_frame_rate:format=duration
/// -of default=noprint_wrappers=1` output (key=value lines). Shared by the file reader and the camera reader.
/// </summary>
public static class FfprobeOutput
{
    public static readonly string[] Entries = ["-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate:format=duration", "-of",
        "default=noprint_wrappers=1"];

    /// <summary>The stream, or null when the output names no video size.</summary>
    public static StreamInfo? Parse(string output)
    {
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        if (!int.TryParse(values.GetValueOrDefault("width"), out var width) || !int.TryParse(values.GetValueOrDefault("height"), out var height))
            return null;
        // Live streams often leave avg_frame_rate as 0/0; r_frame_rate is the fallback.
        double fps = Rate(values.GetValueOrDefault("avg_frame_rate")) is > 0 and var avg ? avg : Rate(values.GetValueOrDefault("r_frame_rate"));
        TimeSpan? duration = double.TryParse(values.GetValueOrDefault("duration"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s) : null;
        return new StreamInfo(width, height, fps, duration);
    }

    private static double Rate(string? fraction)
        => fraction?.Split('/') is [var n, var d] && double.TryParse(n, CultureInfo.InvariantCulture, out var num)
           && double.TryParse(d, CultureInfo.InvariantCulture, out var den) && den > 0 ? num / den : 0;
}

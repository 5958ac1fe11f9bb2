using FaceAge.Core.Sources;

namespace FaceAge.Worker.Configuration;

/// <summary>Region of interest in source pixels.</summary>
public sealed record RegionOfInterest(int X, int Y, int Width, int Height);

/// <summary>One camera ("Cameras" array): rtsp://, http(s)://, a video file or a local device.</summary>
public sealed record CameraOptions
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    /// <summary>rtsp://…, http(s)://…, a file path, /dev/videoN (Linux) or video=NAME (Windows).</summary>
    public string Url { get; init; } = "";
    /// <summary>Files only: start again at the end.</summary>
    public bool Loop { get; init; }
    /// <summary>Frames per second handed to the pipeline (0 = the source rate).</summary>
    public double MaxFps { get; init; } = 10;
    /// <summary>Frames are scaled to this width for detection (0 = source width); height keeps the aspect.</summary>
    public int DetectionWidth { get; init; } = 1280;
    public RegionOfInterest? RegionOfInterest { get; init; }
    public bool Enabled { get; init; } = true;
    /// <summary>Treat the source as live (drop the oldest frame when behind) or not (wait). Default: files wait, everything else is live.</summary>
    public bool? Live { get; init; }
    /// <summary>
    /// Where the screen is as seen from this camera (degrees of head pose: a face turned to the screen has this yaw and
    /// pitch; positive yaw: the screen lies to the image's right of the camera, positive pitch: above it). 0, 0: the camera
    /// sits on the screen. Attention is measured around this direction.
    /// </summary>
    public double ScreenYaw { get; init; }
    public double ScreenPitch { get; init; }

    public SourceKind Kind => SourceKind.Of(Url);
    public bool IsLive => Live ?? Kind.LiveByDefault;

    /// <summary>How the camera's frames are read: files at their own rate, like a camera.</summary>
    public FrameSourceOptions SourceOptions(WatchdogOptions watchdog, TimeSpan startAt = default) => new(Url)
    {
        MaxFps = MaxFps,
        Width = DetectionWidth,
        Crop = RegionOfInterest is { } r ? (r.X, r.Y, r.Width, r.Height) : null,
        RealTime = true,
        StartAt = startAt,
        ProbeTimeout = TimeSpan.FromSeconds(watchdog.ProbeTimeoutSeconds),
    };

    public IEnumerable<string> Validate(string prefix)
    {
        if (string.IsNullOrWhiteSpace(Id)) yield return $"{prefix}:Id must be set.";
        else if (!Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            yield return $"{prefix}:Id '{Id}' may hold only letters, digits, '-' and '_' (it is an MQTT topic level).";
        if (string.IsNullOrWhiteSpace(Url)) yield return $"{prefix}:Url must be set.";
        else if (Kind.IsFile && !File.Exists(Url)) yield return $"{prefix}:Url file '{Url}' does not exist.";
        if (Loop && !Kind.IsFile) yield return $"{prefix}:Loop applies to files only.";
        if (MaxFps is < 0 or > 120) yield return $"{prefix}:MaxFps must be 0–120, got {MaxFps}.";
        if (DetectionWidth is < 0 or (> 0 and < 64) or > 7680) yield return $"{prefix}:DetectionWidth must be 0 or 64–7680, got {DetectionWidth}.";
        if (RegionOfInterest is { } r && (r.X < 0 || r.Y < 0 || r.Width < 16 || r.Height < 16))
            yield return $"{prefix}:RegionOfInterest must have X, Y ≥ 0 and Width, Height ≥ 16.";
        if (ScreenYaw is < -90 or > 90) yield return $"{prefix}:ScreenYaw must be −90–90 degrees, got {ScreenYaw}.";
        if (ScreenPitch is < -90 or > 90) yield return $"{prefix}:ScreenPitch must be −90–90 degrees, got {ScreenPitch}.";
    }
}

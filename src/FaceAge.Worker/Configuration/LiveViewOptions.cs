namespace FaceAge.Worker.Configuration;

/// <summary>The local web page (section "LiveView"), served on Http:Urls next to /metrics.</summary>
public sealed record LiveViewOptions
{
    public bool Enabled { get; init; } = true;
    /// <summary>When set, the page and its API need ?token=… (or "Authorization: Bearer …"). Use
    /// FACEAGE_LiveView__AccessToken to keep it out of files.</summary>
    public string? AccessToken { get; init; }
    /// <summary>Blur faces in previews. Unset: on unless every Http:Urls address is loopback.</summary>
    public bool? BlurFaces { get; init; }
    /// <summary>How often a camera's latest frame is kept for its preview.</summary>
    public int PreviewIntervalMilliseconds { get; init; } = 500;
    /// <summary>Preview width in pixels (height follows the frame's aspect).</summary>
    public int PreviewWidth { get; init; } = 640;

    /// <summary>Whether previews are blurred, given the addresses the HTTP server listens on.</summary>
    public bool ShouldBlur(string httpUrls) => BlurFaces ?? !AllLoopback(httpUrls);

    public static bool AllLoopback(string httpUrls) => httpUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url =>
    {
        if (!Uri.TryCreate(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"), UriKind.Absolute, out var uri)) return false;
        return uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
    });

    public IEnumerable<string> Validate(string prefix = "LiveView")
    {
        if (PreviewIntervalMilliseconds is < 50 or > 60000) yield return $"{prefix}:PreviewIntervalMilliseconds must be 50–60000, got "
            + $"{PreviewIntervalMilliseconds}.";
        if (PreviewWidth is < 64 or > 3840) yield return $"{prefix}:PreviewWidth must be 64–3840, got {PreviewWidth}.";
        if (AccessToken is { } t && (t.Length < 8 || t.Any(char.IsWhiteSpace)))
            yield return $"{prefix}:AccessToken must be at least 8 characters without spaces.";
    }
}

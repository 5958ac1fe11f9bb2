namespace FaceAge.Worker.Configuration;

/// <summary>HTTP webhooks (section "Webhook"): every event is POSTed as one JSON document to each URL (docs/webhook.md).</summary>
public sealed record WebhookOptions
{
    /// <summary>Receivers (http:// or https://). None: no webhook.</summary>
    public string[]? Urls { get; init; }
    /// <summary>Key of the HMAC-SHA256 signature header; best given as FACEAGE_Webhook__Secret or in SecretFile. Never logged.</summary>
    public string? Secret { get; init; }
    /// <summary>File whose first line is the secret (Docker/Kubernetes secrets), used when Secret is empty.</summary>
    public string? SecretFile { get; init; }
    /// <summary>Event kinds to send (person, person_update, stats, occupancy, camera_status, worker_status); none = all.</summary>
    public string[]? Events { get; init; }
    /// <summary>How long one POST may take before it counts as failed (and is tried again).</summary>
    public double TimeoutSeconds { get; init; } = 10;
    /// <summary>PEM CA that https receivers' certificates must chain to; empty: the system's trusted roots.</summary>
    public string? CaCertificatePath { get; init; }
    /// <summary>PEM client certificate and key, for receivers that require one.</summary>
    public string? ClientCertificatePath { get; init; }
    public string? ClientKeyPath { get; init; }

    public static readonly string[] EventKinds = ["person", "person_update", "stats", "occupancy", "camera_status", "worker_status"];

    public bool Enabled => Urls is { Length: > 0 };

    public string? EffectiveSecret()
    {
        if (!string.IsNullOrEmpty(Secret)) return Secret;
        if (string.IsNullOrEmpty(SecretFile)) return null;
        return File.ReadLines(SecretFile).FirstOrDefault()?.TrimEnd('\r');
    }

    public bool Sends(string kind) => Events is not { Length: > 0 } kinds || kinds.Contains(kind, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Validate(string prefix = "Webhook")
    {
        var urls = Urls ?? [];
        for (int i = 0; i < urls.Length; i++)
            if (!Uri.TryCreate(urls[i], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                yield return $"{prefix}:Urls:{i} '{urls[i]}' is not an http:// or https:// URL.";
        if (urls.Distinct(StringComparer.Ordinal).Count() != urls.Length) yield return $"{prefix}:Urls lists a URL twice.";
        foreach (var kind in Events ?? [])
            if (!EventKinds.Contains(kind, StringComparer.OrdinalIgnoreCase))
                yield return $"{prefix}:Events '{kind}' is not an event kind (known: {string.Join(", ", EventKinds)}).";
        if (TimeoutSeconds is < 0.5 or > 300) yield return $"{prefix}:TimeoutSeconds must be 0.5–300, got {TimeoutSeconds}.";
        foreach (var (key, path) in new[] { ("SecretFile", SecretFile), ("CaCertificatePath", CaCertificatePath),
            ("ClientCertificatePath", ClientCertificatePath), ("ClientKeyPath", ClientKeyPath) })
            if (!string.IsNullOrEmpty(path) && !File.Exists(path)) yield return $"{prefix}:{key} '{path}' does not exist.";
        if (string.IsNullOrEmpty(ClientCertificatePath) != string.IsNullOrEmpty(ClientKeyPath))
            yield return $"{prefix}:ClientCertificatePath and ClientKeyPath go together.";
        if (Secret is { Length: > 0 and < 16 }) yield return $"{prefix}:Secret must be at least 16 characters.";
    }
}

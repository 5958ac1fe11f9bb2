namespace FaceAge.Worker.Configuration;

public enum BrokerMode { Embedded, External }

/// <summary>MQTT settings (section "Mqtt"). Username/Password may come from FACEAGE_Mqtt__Username / __Password.</summary>
public sealed record MqttOptions
{
    /// <summary>Publish events over MQTT (off: only the other sinks, e.g. a webhook).</summary>
    public bool Enabled { get; init; } = true;
    public BrokerMode Mode { get; init; } = BrokerMode.Embedded;
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;
    /// <summary>Embedded broker only: address it listens on.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";
    public bool UseTls { get; init; }
    /// <summary>PEM file with the CA certificate(s) that signed the broker's certificate; empty: the system's trusted roots.</summary>
    public string? CaCertificatePath { get; init; }
    /// <summary>PEM client certificate and its private key, for brokers that require one.</summary>
    public string? ClientCertificatePath { get; init; }
    public string? ClientKeyPath { get; init; }
    public string? Username { get; init; }
    /// <summary>Best given as FACEAGE_Mqtt__Password, or as a file (PasswordFile) such as a Docker/Kubernetes secret; never logged.</summary>
    public string? Password { get; init; }
    /// <summary>File whose first line is the password (used when Password is empty).</summary>
    public string? PasswordFile { get; init; }
    public string ClientId { get; init; } = "faceage-worker";
    public string TopicPrefix { get; init; } = "faceage";
    /// <summary>0 = at most once, 1 = at least once (default), 2 = exactly once.</summary>
    public int QualityOfService { get; init; } = 1;

    public IEnumerable<string> Validate(string prefix = "Mqtt")
    {
        if (!Enabled) yield break;
        if (Port is < 1 or > 65535) yield return $"{prefix}:Port must be 1–65535, got {Port}.";
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{prefix}:Host must be set.";
        if (!System.Net.IPAddress.TryParse(BindAddress, out _)) yield return $"{prefix}:BindAddress '{BindAddress}' is not an IP address.";
        if (string.IsNullOrWhiteSpace(TopicPrefix) || TopicPrefix.Contains('#') || TopicPrefix.Contains('+'))
            yield return $"{prefix}:TopicPrefix must be set and hold no wildcards.";
        if (QualityOfService is < 0 or > 2) yield return $"{prefix}:QualityOfService must be 0, 1 or 2, got {QualityOfService}.";
        if (Mode == BrokerMode.Embedded && UseTls) yield return $"{prefix}:UseTls needs Mode External (the embedded broker serves plain TCP on {BindAddress}).";
        foreach (var (key, path) in new[] { ("CaCertificatePath", CaCertificatePath), ("ClientCertificatePath", ClientCertificatePath),
            ("ClientKeyPath", ClientKeyPath), ("PasswordFile", PasswordFile) })
            if (!string.IsNullOrEmpty(path) && !File.Exists(path)) yield return $"{prefix}:{key} '{path}' does not exist.";
        if (!UseTls && (!string.IsNullOrEmpty(CaCertificatePath) || !string.IsNullOrEmpty(ClientCertificatePath)))
            yield return $"{prefix}:CaCertificatePath and ClientCertificatePath need UseTls true.";
        if (string.IsNullOrEmpty(ClientCertificatePath) != string.IsNullOrEmpty(ClientKeyPath))
            yield return $"{prefix}:ClientCertificatePath and ClientKeyPath go together.";
    }

    /// <summary>The password: Password, else the first line of PasswordFile, else none.</summary>
    public string? EffectivePassword()
    {
        if (!string.IsNullOrEmpty(Password)) return Password;
        if (string.IsNullOrEmpty(PasswordFile)) return null;
        return File.ReadLines(PasswordFile).FirstOrDefault()?.TrimEnd('\r');
    }
}

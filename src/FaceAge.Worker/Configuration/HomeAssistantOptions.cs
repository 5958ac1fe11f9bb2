namespace FaceAge.Worker.Configuration;

/// <summary>Home Assistant MQTT discovery (section "HomeAssistant"): each camera appears as a device with sensors.</summary>
public sealed record HomeAssistantOptions
{
    public bool Enabled { get; init; }
    /// <summary>Home Assistant's discovery prefix (its MQTT integration's setting; "homeassistant" unless changed there).</summary>
    public string DiscoveryPrefix { get; init; } = "homeassistant";

    public IEnumerable<string> Validate(string prefix = "HomeAssistant")
    {
        if (string.IsNullOrWhiteSpace(DiscoveryPrefix) || DiscoveryPrefix.Any(c => c is '#' or '+' or ' ') || DiscoveryPrefix.EndsWith('/'))
            yield return $"{prefix}:DiscoveryPrefix must be a topic prefix without wildcards, spaces or a trailing '/', got '{DiscoveryPrefix}'.";
    }
}

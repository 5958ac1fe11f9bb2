using System.Globalization;

namespace FaceAge.Worker.Configuration;

/// <summary>
/// Many workers sharing one camera list (section "Sharding"), e.g. the replicas of a Kubernetes
/// StatefulSet: replica k of n runs the cameras whose position in Cameras modulo n equals k. The
/// ordinal comes from Ordinal, else from the trailing "-k" of the pod name (PodName, $POD_NAME or
/// $HOSTNAME, as a StatefulSet names its pods "faceage-0", "faceage-1", …).
/// </summary>
public sealed record ShardingOptions
{
    public int Replicas { get; init; } = 1;
    public int? Ordinal { get; init; }
    public string? PodName { get; init; }

    public bool Enabled => Replicas > 1;

    /// <summary>This replica's ordinal, or an error naming the key that is missing or wrong.</summary>
    public (int? Ordinal, string? Error) ResolveOrdinal(Func<string, string?>? environment = null)
    {
        if (!Enabled) return (0, null);
        if (Ordinal is { } given)
            return given >= 0 && given < Replicas ? (given, null) : (null, $"Sharding:Ordinal must be 0–{Replicas - 1}, got {given}.");
        environment ??= Environment.GetEnvironmentVariable;
        var name = PodName ?? environment("POD_NAME") ?? environment("HOSTNAME");
        if (OrdinalFromPodName(name) is not { } parsed)
            return (null, $"Sharding:Ordinal is not set and the pod name '{name}' (Sharding:PodName, $POD_NAME or $HOSTNAME) does not end in -<ordinal>.");
        return parsed < Replicas ? (parsed, null) : (null, $"Sharding: pod '{name}' has ordinal {parsed}, but Sharding:Replicas is {Replicas}.");
    }

    /// <summary>"faceage-12" → 12; null when the name does not end in "-digits".</summary>
    public static int? OrdinalFromPodName(string? podName)
    {
        if (string.IsNullOrEmpty(podName)) return null;
        int dash = podName.LastIndexOf('-');
        return dash >= 0 && dash < podName.Length - 1 && podName[(dash + 1)..].All(char.IsAsciiDigit)
               && int.TryParse(podName[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : null;
    }

    /// <summary>The cameras replica <paramref name="ordinal"/> of <see cref="Replicas"/> runs: list position mod replicas = ordinal.</summary>
    public IReadOnlyList<CameraOptions> Select(IReadOnlyList<CameraOptions> cameras, int ordinal)
        => cameras.Where((_, index) => index % Replicas == ordinal).ToList();

    public IEnumerable<string> Validate(string prefix = "Sharding")
    {
        if (Replicas is < 1 or > 10_000) yield return $"{prefix}:Replicas must be 1–10000, got {Replicas}.";
    }
}

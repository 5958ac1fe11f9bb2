namespace FaceAge.Worker.Configuration;

/// <summary>The persistent outboxes (section "Outbox"): messages wait on disk until their receiver acknowledged them.</summary>
public sealed record OutboxOptions
{
    /// <summary>
    /// The MQTT sink's SQLite file; other sinks keep theirs beside it. Empty: $STATE_DIRECTORY/outbox.db under systemd
    /// (StateDirectory=), else data/outbox.db. ":memory:" keeps nothing across restarts.
    /// </summary>
    public string Path { get; init; } = "";
    /// <summary>Most messages kept while the broker is unreachable; beyond it the oldest are discarded (counted and logged).</summary>
    public int MaxMessages { get; init; } = 100_000;
    /// <summary>Messages older than this are discarded (counted and logged).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(1);

    public string ResolvedPath(Func<string, string?>? environment = null)
    {
        if (Path.Length > 0) return Path;
        var state = (environment ?? Environment.GetEnvironmentVariable)("STATE_DIRECTORY");
        // systemd may pass several directories separated by ':'; the first is ours.
        return state is { Length: > 0 } ? System.IO.Path.Combine(state.Split(':')[0], "outbox.db") : System.IO.Path.Combine("data", "outbox.db");
    }

    /// <summary>The file of another sink's outbox, beside the MQTT one (in memory when that one is).</summary>
    public string PathFor(string fileName, Func<string, string?>? environment = null)
    {
        var main = ResolvedPath(environment);
        return main == ":memory:" ? main : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(main) ?? "", fileName);
    }

    public IEnumerable<string> Validate(string prefix = "Outbox")
    {
        if (MaxMessages is < 100 or > 100_000_000) yield return $"{prefix}:MaxMessages must be 100–100000000, got {MaxMessages}.";
        if (MaxAge < TimeSpan.FromMinutes(1)) yield return $"{prefix}:MaxAge must be at least 00:01:00, got {MaxAge}.";
    }
}

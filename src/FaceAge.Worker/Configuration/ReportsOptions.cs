namespace FaceAge.Worker.Configuration;

/// <summary>
/// The local report store (section "Reports"): every finished statistics window's totals (never a person) in SQLite, for
/// `GET /api/report`, the live page's report view and `faceage-worker report`.
/// </summary>
public sealed record ReportsOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>The SQLite file; "" = reports.db beside the outbox (Outbox:Path).</summary>
    public string Path { get; init; } = "";

    /// <summary>Windows older than this are deleted.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(31);

    /// <summary>Most windows kept (all cameras); beyond it the oldest are deleted, counted in faceage_report_windows_deleted_total.</summary>
    public int MaxWindows { get; init; } = 1_000_000;

    /// <summary>Reports:Path, or reports.db beside the outbox.</summary>
    public string ResolvedPath(OutboxOptions outbox) => Path is { Length: > 0 } p ? p : outbox.PathFor("reports.db");

    public IEnumerable<string> Validate(string prefix = "Reports")
    {
        if (Retention < TimeSpan.FromHours(1)) yield return $"{prefix}:Retention must be at least 01:00:00, got {Retention}.";
        if (MaxWindows is < 100 or > 100_000_000) yield return $"{prefix}:MaxWindows must be 100–100000000, got {MaxWindows}.";
    }
}

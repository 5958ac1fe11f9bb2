using System.Globalization;

namespace FaceAge.Worker.Reports;

/// <summary>
/// What a report covers: one camera or all of them (summed), a time range and the bucket size (an hour or a day, UTC),
/// as JSON or CSV. <see cref="Parse"/> checks each parameter and names the one that is wrong.
/// </summary>
public sealed record ReportRequest(string? Camera, DateTimeOffset From, DateTimeOffset To, ReportBucket Bucket, ReportFormat Format)
{
    /// <summary>The longest range one report covers (its work is bounded).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    /// <summary>
    /// Reads the parameters (null = not given): camera (a camera id), from and to (ISO 8601; default the last day for hours,
    /// the last 31 days for days), bucket (hour or day, default hour), format (json or csv, default json).
    /// </summary>
    public static ReportRequest Parse(string? camera, string? from, string? to, string? bucket, string? format, DateTimeOffset now)
    {
        var b = bucket is null or "" ? ReportBucket.Hour : bucket.ToLowerInvariant() switch
        {
            "hour" => ReportBucket.Hour,
            "day" => ReportBucket.Day,
            _ => throw new ReportParameterException("bucket", $"must be hour or day, got '{bucket}'"),
        };
        var f = format is null or "" ? ReportFormat.Json : format.ToLowerInvariant() switch
        {
            "json" => ReportFormat.Json,
            "csv" => ReportFormat.Csv,
            _ => throw new ReportParameterException("format", $"must be json or csv, got '{format}'"),
        };
        if (camera is { Length: > 0 } c && !c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            throw new ReportParameterException("camera", $"must be a camera id (letters, digits, '-', '_'), got '{camera}'");
        var end = to is null or "" ? now : Time("to", to);
        var start = from is null or "" ? end - (b == ReportBucket.Hour ? TimeSpan.FromDays(1) : TimeSpan.FromDays(31)) : Time("from", from);
        if (start >= end) throw new ReportParameterException("from", $"must be before to ({start:O} is not before {end:O})");
        if (end - start > MaxRange) throw new ReportParameterException("from", $"must be at most {MaxRange.TotalDays:0} days before to");
        return new ReportRequest(camera is { Length: > 0 } ? camera : null, start, end, b, f);
    }

    private static DateTimeOffset Time(string name, string text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new ReportParameterException(name, $"must be a date or time (ISO 8601, e.g. 2026-12-07 or 2026-12-07T14:00:00Z), got '{text}'");

    /// <summary>The start of the bucket <paramref name="time"/> falls in (UTC hours and days).</summary>
    public DateTimeOffset BucketOf(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return Bucket == ReportBucket.Hour
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    public TimeSpan BucketLength => Bucket == ReportBucket.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
}

public enum ReportBucket { Hour, Day }

public enum ReportFormat { Json, Csv }

/// <summary>A report parameter that cannot be used; the message names it (the API answers 400 with it).</summary>
public sealed class ReportParameterException(string parameter, string problem) : ArgumentException($"parameter '{parameter}' {problem}.")
{
    public string Parameter { get; } = parameter;
}

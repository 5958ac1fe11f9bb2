using System.Globalization;
using FaceAge.Core.Audience;
using Microsoft.Data.Sqlite;

namespace FaceAge.Worker.Reports;

/// <summary>One stored window: a camera's totals between two times (sums only, never a person).</summary>
public sealed record StoredWindow(string Camera, DateTimeOffset Start, DateTimeOffset End, double? MeanDwellSeconds, AudienceTally Audience);

/// <summary>
/// Every finished statistics window's totals in SQLite (WAL; a window is written when it ends, so a worker killed or
/// restarted keeps every finished one). Bounded by age (Reports:Retention) and count (Reports:MaxWindows): beyond either the
/// oldest windows are deleted and counted. The age groups are stored with each window: a change of Analysis:AgeGroups
/// leaves older windows readable on their own groups.
/// </summary>
public sealed class ReportStore : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _gate = new();
    private readonly TimeSpan _retention;
    private readonly int _maxWindows;

    /// <param name="path">The database file (":memory:" keeps nothing).</param>
    /// <param name="origin">The setting the path comes from, for errors.</param>
    public ReportStore(string path, TimeSpan retention, int maxWindows, string origin = "Reports:Path")
    {
        Path = path;
        _retention = retention;
        _maxWindows = maxWindows;
        _db = SqliteFile.Open(path, origin, "report database",
            "CREATE TABLE IF NOT EXISTS windows (id INTEGER PRIMARY KEY AUTOINCREMENT, camera TEXT NOT NULL, start INTEGER NOT NULL, "
            + "end INTEGER NOT NULL, dwell REAL, groups TEXT NOT NULL, people INTEGER NOT NULL, hard TEXT NOT NULL, expected TEXT NOT NULL, "
            + "age_expected TEXT NOT NULL, age_variance TEXT NOT NULL, male_expected REAL NOT NULL, male_variance REAL NOT NULL)",
            "CREATE INDEX IF NOT EXISTS windows_start ON windows (start)");
    }

    public string Path { get; }

    /// <summary>Windows deleted so far by the bounds (for the metric).</summary>
    public long Deleted { get; private set; }

    public long Count
    {
        get
        {
            lock (_gate) return _db.Scalar("SELECT COUNT(*) FROM windows");
        }
    }

    public void Add(StoredWindow window, DateTimeOffset now)
    {
        var t = window.Audience;
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            _db.Execute("INSERT INTO windows (camera, start, end, dwell, groups, people, hard, expected, age_expected, age_variance, male_expected, "
                + "male_variance) VALUES ($camera, $start, $end, $dwell, $groups, $people, $hard, $expected, $ageExpected, $ageVariance, $maleExpected, "
                + "$maleVariance)", tx,
                ("$camera", window.Camera), ("$start", window.Start.ToUnixTimeMilliseconds()), ("$end", window.End.ToUnixTimeMilliseconds()),
                ("$dwell", window.MeanDwellSeconds is { } d ? d : DBNull.Value), ("$groups", string.Join('|', t.Groups)), ("$people", t.People),
                ("$hard", Join(t.Hard.Select(v => (double)v))), ("$expected", Join(t.Expected)), ("$ageExpected", Join(t.AgeExpected)),
                ("$ageVariance", Join(t.AgeVariance)), ("$maleExpected", t.MaleExpected), ("$maleVariance", t.MaleVariance));
            Deleted += _db.Execute("DELETE FROM windows WHERE end < $cut", tx, ("$cut", (now - _retention).ToUnixTimeMilliseconds()));
            Deleted += _db.Execute("DELETE FROM windows WHERE id <= (SELECT MAX(id) FROM windows) - $max", tx, ("$max", _maxWindows));
            tx.Commit();
        }
    }

    /// <summary>The windows that started in [<paramref name="from"/>, <paramref name="to"/>), of one camera or all, oldest first.</summary>
    public IReadOnlyList<StoredWindow> Windows(DateTimeOffset from, DateTimeOffset to, string? camera = null)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT camera, start, end, dwell, groups, people, hard, expected, age_expected, age_variance, male_expected, male_variance "
                + "FROM windows WHERE start >= $from AND start < $to" + (camera is null ? "" : " AND camera = $camera") + " ORDER BY start, id";
            cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            if (camera is not null) cmd.Parameters.AddWithValue("$camera", camera);
            using var reader = cmd.ExecuteReader();
            var list = new List<StoredWindow>();
            while (reader.Read())
            {
                var groups = reader.GetString(4).Split('|');
                var tally = AudienceTally.Restore(groups, reader.GetInt32(5), Split(reader.GetString(6)).Select(v => (int)v).ToArray(),
                    Split(reader.GetString(7)),
                    Split(reader.GetString(8)), Split(reader.GetString(9)), reader.GetDouble(10), reader.GetDouble(11));
                list.Add(new StoredWindow(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.IsDBNull(3) ? null : reader.GetDouble(3), tally));
            }
            return list;
        }
    }

    // Numbers as invariant text ("R" round-trips a double exactly): readable with the sqlite3 shell, exact when read back.
    private static string Join(IEnumerable<double> values) => string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static double[] Split(string text)
        => text.Length == 0 ? [] : text.Split(' ').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();

    public void Dispose() => _db.Dispose();
}

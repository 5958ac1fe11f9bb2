using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FaceAge.Worker;

/// <summary>
/// A SQLite file the worker keeps (the sinks' outboxes, the report store): opened unpooled in WAL with synchronous=NORMAL,
/// so a committed row survives the process being killed (not necessarily a power cut), with its schema; a file that cannot be
/// used is an error naming the setting it comes from.
/// </summary>
public static class SqliteFile
{
    /// <param name="path">The database file (":memory:" keeps nothing).</param>
    /// <param name="origin">The setting the path comes from, e.g. "Reports:Path".</param>
    /// <param name="what">What the file is for, in the error ("report database").</param>
    /// <param name="schema">Statements run after opening (CREATE … IF NOT EXISTS).</param>
    public static SqliteConnection Open(string path, string origin, string what, params string[] schema)
    {
        if (path != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            db.Open();
            db.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            foreach (var statement in schema) db.Execute(statement);
            return db;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new InvalidDataException($"{origin} '{path}' cannot be used as the {what}: {e.Message}", e);
        }
    }

    public static int Execute(this SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd.ExecuteNonQuery();
    }

    public static long Scalar(this SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}

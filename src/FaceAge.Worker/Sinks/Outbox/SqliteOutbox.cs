using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using Microsoft.Data.Sqlite;

namespace FaceAge.Worker.Sinks.Outbox;

/// <summary>One message a sink must deliver.</summary>
/// <param name="Key">Where it goes within the sink (the MQTT topic; the webhook's event kind and camera).</param>
/// <param name="Retain">State rather than news: it replaces an undelivered message of the same key (only the latest state matters).</param>
/// <param name="Kind">The event kind, for metrics.</param>
public sealed record OutboxMessage(string Key, byte[] Payload, bool Retain, string Kind);

/// <summary>
/// A sink's outgoing messages on disk (SQLite, WAL) until the receiver acknowledged them, so that nothing is lost
/// while it is down or when the worker is killed: the sink sends the oldest first and deletes a message only after
/// the acknowledgement (MQTT PUBACK, HTTP 2xx), which keeps the order. Bounded by count and age: beyond either,
/// the oldest messages are discarded, counted in faceage_outbox_discarded_total{sink} and logged.
/// </summary>
public sealed class SqliteOutbox : IDisposable
{
    public sealed record Entry(long Id, OutboxMessage Message);

    private readonly SqliteConnection _db;
    private readonly OutboxOptions _options;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _added = new(0);
    private long _count;
    private bool _discarding;

    private readonly string _sink;

    /// <param name="path">The database file (":memory:" keeps nothing across restarts).</param>
    /// <param name="sink">The sink it belongs to, as metrics label.</param>
    /// <param name="origin">The setting the path comes from, for errors (e.g. "Outbox:Path").</param>
    public SqliteOutbox(string path, string sink, OutboxOptions options, WorkerMetrics metrics, ILogger logger, TimeProvider? clock = null,
        string origin = "Outbox:Path")
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _sink = sink;
        _clock = clock ?? TimeProvider.System;
        Path = path;
        _db = SqliteFile.Open(path, origin, $"{sink} outbox database",
            "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER "
            + "NOT NULL, kind TEXT NOT NULL, created INTEGER NOT NULL)");
        _count = _db.Scalar("SELECT COUNT(*) FROM outbox");
        _metrics.OutboxMessages.WithLabels(_sink).Set(_count);
        if (_count > 0) _logger.LogInformation("Outbox {Path} holds {Count} undelivered message(s) from before; sending them first", Path, _count);
    }

    public string Path { get; }

    public long Count { get { lock (_gate) return _count; } }

    /// <summary>Signalled when a message is added.</summary>
    public Task WaitForMessageAsync(TimeSpan timeout, CancellationToken cancellationToken) => _added.WaitAsync(timeout, cancellationToken);

    public void Add(OutboxMessage message)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            if (message.Retain)
                _count -= _db.Execute("DELETE FROM outbox WHERE topic = $topic AND retain = 1", tx, ("$topic", message.Key));
            _db.Execute("INSERT INTO outbox (topic, payload, retain, kind, created) VALUES ($topic, $payload, $retain, $kind, $created)", tx,
                ("$topic", message.Key), ("$payload", message.Payload), ("$retain", message.Retain ? 1 : 0), ("$kind", message.Kind),
                ("$created", _clock.GetUtcNow().ToUnixTimeMilliseconds()));
            _count++;
            EnforceBounds(tx);
            tx.Commit();
            _metrics.OutboxMessages.WithLabels(_sink).Set(_count);
        }
        if (_added.CurrentCount == 0) _added.Release();
    }

    /// <summary>The oldest undelivered messages, in the order they were added.</summary>
    public IReadOnlyList<Entry> Oldest(int max)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, topic, payload, retain, kind FROM outbox ORDER BY id LIMIT $max";
            cmd.Parameters.AddWithValue("$max", max);
            using var reader = cmd.ExecuteReader();
            var list = new List<Entry>();
            while (reader.Read())
                list.Add(new Entry(reader.GetInt64(0),
                    new OutboxMessage(reader.GetString(1), (byte[])reader[2], reader.GetInt64(3) == 1, reader.GetString(4))));
            return list;
        }
    }

    /// <summary>Deletes a message the broker acknowledged.</summary>
    public void Delivered(long id)
    {
        lock (_gate)
        {
            _count -= _db.Execute("DELETE FROM outbox WHERE id = $id", null, ("$id", id));
            _metrics.OutboxMessages.WithLabels(_sink).Set(_count);
            if (_count == 0 && _discarding)
            {
                _discarding = false;
                _logger.LogInformation("Outbox {Path} is empty again", Path);
            }
        }
    }

    private void EnforceBounds(SqliteTransaction tx)
    {
        long tooOld = _clock.GetUtcNow().Add(-_options.MaxAge).ToUnixTimeMilliseconds();
        long discarded = _db.Execute("DELETE FROM outbox WHERE created < $old", tx, ("$old", tooOld));
        if (_count - discarded > _options.MaxMessages)
            discarded += _db.Execute("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $n)", tx,
                ("$n", _count - discarded - _options.MaxMessages));
        if (discarded == 0) return;
        _count -= discarded;
        _metrics.OutboxDiscarded.WithLabels(_sink).Inc(discarded);
        if (!_discarding)
        {
            _discarding = true;
            _logger.LogWarning("Outbox {Path} is full ({Max} messages or {MaxAge} old): discarding the oldest undelivered messages", Path, _options.MaxMessages,
                _options.MaxAge);
        }
    }

    public void Dispose()
    {
        _db.Dispose();
        _added.Dispose();
    }
}

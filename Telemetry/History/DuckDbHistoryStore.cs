using System.Data.Common;
using System.Runtime.CompilerServices;
using DuckDB.NET.Data;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Latest;

namespace IoTPlatform.Telemetry.History;

/// <summary>
/// The embedded history store: <c>history.duckdb</c> in the data dir, tables <c>readings</c> and
/// <c>events</c>. One writer connection appends each group commit with the appender inside one
/// transaction (both tables, all or nothing); queries open their own connections to the same database.
/// No primary key: de-duplication happens before the write (see <see cref="KeyIndex"/>), so one bad row
/// can never fail everyone's batch.
/// </summary>
public sealed class DuckDbHistoryStore : IHistoryStore, IHistoryQueries, IDisposable
{
    public const string FileName = "history.duckdb";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS readings (
            device_id VARCHAR NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL,
            lat DOUBLE, lon DOUBLE, alt DOUBLE, speed DOUBLE, course DOUBLE, hdop DOUBLE, sats INTEGER, fix INTEGER,
            battery INTEGER, lock VARCHAR, slots VARCHAR, position_rejected VARCHAR,
            received_at BIGINT NOT NULL, commit_id BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (
            device_id VARCHAR NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL, type VARCHAR NOT NULL,
            lock VARCHAR, slot INTEGER, slot_state VARCHAR, item VARCHAR, battery INTEGER,
            lat DOUBLE, lon DOUBLE, distance DOUBLE, fw VARCHAR, reason VARCHAR,
            received_at BIGINT NOT NULL, commit_id BIGINT NOT NULL);
        """;

    private const string ReadingColumns = "device_id, seq, ts, lat, lon, alt, speed, course, hdop, sats, fix, battery, lock, slots, position_rejected, received_at, commit_id";
    private const string EventColumns = "device_id, seq, ts, type, lock, slot, slot_state, item, battery, lat, lon, distance, fw, reason, received_at, commit_id";

    private readonly string _connectionString;
    private readonly DuckDBConnection _writer;
    private readonly Lock _writeGate = new();

    public DuckDbHistoryStore(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        Path = System.IO.Path.Combine(dataDir, FileName);
        _connectionString = $"Data Source={Path}";
        _writer = new DuckDBConnection(_connectionString);
        _writer.Open();
        using var create = _writer.CreateCommand();
        create.CommandText = Schema;
        create.ExecuteNonQuery();
    }

    public string Path { get; }

    public Task WriteAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_writeGate)
        {
            using var transaction = _writer.BeginTransaction();
            // An appender is made only for a table that gets rows: making and closing one costs about as much as
            // appending hundreds of rows, and most commits hold readings only.
            DuckDBAppender? readings = null;
            DuckDBAppender? events = null;
            try
            {
                foreach (var message in batch.Messages)
                {
                    foreach (var item in message.Items)
                    {
                        if (!item.IsToStore)
                        {
                            continue;
                        }

                        if (item.Reading is { } r)
                        {
                            (readings ??= _writer.CreateAppender("readings")).CreateRow()
                                .AppendValue(message.DeviceId).AppendValue(r.Seq).AppendValue(r.Ts)
                                .AppendValue(r.Lat).AppendValue(r.Lon).AppendValue(r.Alt).AppendValue(r.Speed).AppendValue(r.Course)
                                .AppendValue(r.Hdop).AppendValue(r.Sats).AppendValue(r.Fix).AppendValue(r.Battery)
                                .AppendValue(r.Lock?.ToWireName()).AppendValue(SlotsJson.Write(r.Slots)).AppendValue(item.PositionRejected)
                                .AppendValue(message.ReceivedAtMs).AppendValue(batch.CommitId)
                                .EndRow();
                        }
                        else if (item.Event is { } e)
                        {
                            (events ??= _writer.CreateAppender("events")).CreateRow()
                                .AppendValue(message.DeviceId).AppendValue(e.Seq).AppendValue(e.Ts).AppendValue(e.Type.ToWireName())
                                .AppendValue(e.Lock?.ToWireName()).AppendValue(e.Slot).AppendValue(e.SlotState?.ToWireName()).AppendValue(e.Item)
                                .AppendValue(e.Battery).AppendValue(e.Lat).AppendValue(e.Lon).AppendValue(e.Distance).AppendValue(e.Fw).AppendValue(e.Reason)
                                .AppendValue(message.ReceivedAtMs).AppendValue(batch.CommitId)
                                .EndRow();
                        }
                    }
                }
            }
            finally
            {
                // Disposing closes the appender, which flushes its rows into the transaction.
                try
                {
                    readings?.Dispose();
                }
                finally
                {
                    events?.Dispose();
                }
            }

            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<ItemKey>> FindKeysAsync(string deviceId, long fromTs, long toTs, CancellationToken cancellationToken)
    {
        var keys = Rows(
            """
            SELECT seq, ts FROM readings WHERE device_id = $device AND ts BETWEEN $from AND $to
            UNION ALL
            SELECT seq, ts FROM events WHERE device_id = $device AND ts BETWEEN $from AND $to
            """,
            r => new ItemKey(r.GetInt64(0), r.GetInt64(1)),
            ("device", deviceId), ("from", fromTs), ("to", toTs));
        return Task.FromResult<IReadOnlySet<ItemKey>>(keys.ToHashSet());
    }

    public async IAsyncEnumerable<(string DeviceId, ItemKey Key)> ReadKeysSinceAsync(long sinceTs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(
            connection,
            """
            SELECT device_id, seq, ts FROM (
                SELECT device_id, seq, ts, received_at FROM readings WHERE ts >= $since
                UNION ALL
                SELECT device_id, seq, ts, received_at FROM events WHERE ts >= $since)
            ORDER BY received_at, ts
            """,
            ("since", sinceTs));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return (reader.GetString(0), new ItemKey(reader.GetInt64(1), reader.GetInt64(2)));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task PingAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, "SELECT 1");
        command.ExecuteScalar();
        return Task.CompletedTask;
    }

    public Task<long> LastCommitIdAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, "SELECT greatest(coalesce((SELECT max(commit_id) FROM readings), 0), coalesce((SELECT max(commit_id) FROM events), 0))");
        return Task.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc/>
    /// <remarks>No index: DuckDB's per-row-group min/max of <c>commit_id</c> (which only grows) skips nearly every row group.</remarks>
    public Task<bool> ContainsCommitAsync(long commitId, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(
            connection,
            "SELECT EXISTS (SELECT 1 FROM readings WHERE commit_id = $commit) OR EXISTS (SELECT 1 FROM events WHERE commit_id = $commit)",
            ("commit", commitId));
        return Task.FromResult(command.ExecuteScalar() is true);
    }

    public async IAsyncEnumerable<CommittedItem> ReadCommittedAfterAsync(long commitId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var readings = Command(connection, $"SELECT {ReadingColumns} FROM readings WHERE commit_id > $after ORDER BY commit_id", ("after", commitId));
        using var events = Command(connection, $"SELECT {EventColumns} FROM events WHERE commit_id > $after ORDER BY commit_id", ("after", commitId));

        // Readings and events merged by commit id: the latest state folds them in the order they were committed.
        using var r = readings.ExecuteReader();
        using var e = events.ExecuteReader();
        var hasReading = r.Read();
        var hasEvent = e.Read();
        while (hasReading || hasEvent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (hasReading && (!hasEvent || r.GetInt64(16) <= e.GetInt64(15)))
            {
                var stored = ToReading(r);
                var item = new IngestItem(stored.Reading) { PositionRejected = stored.PositionRejected };
                yield return new CommittedItem(stored.DeviceId, r.GetInt64(16), item, stored.ReceivedAtMs);
                hasReading = r.Read();
            }
            else
            {
                var stored = ToEvent(e);
                yield return new CommittedItem(stored.DeviceId, e.GetInt64(15), new IngestItem(stored.Event), stored.ReceivedAtMs);
                hasEvent = e.Read();
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<long> DeleteOlderThanAsync(long beforeTs, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, "DELETE FROM readings WHERE ts < $before", ("before", beforeTs));
        long deleted = command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM events WHERE ts < $before";
        deleted += command.ExecuteNonQuery();
        return Task.FromResult(deleted);
    }

    public Task<IReadOnlyList<StoredReading>> ReadingsAsync(string deviceId, long fromTs, long toTs, int limit, CancellationToken cancellationToken)
    {
        return Task.FromResult<IReadOnlyList<StoredReading>>(Rows(
            $"SELECT {ReadingColumns} FROM readings WHERE device_id = $device AND ts >= $from AND ts < $to ORDER BY ts, seq LIMIT $limit",
            ToReading,
            ("device", deviceId), ("from", fromTs), ("to", toTs), ("limit", limit)));
    }

    public Task<IReadOnlyList<StoredEvent>> EventsAsync(string deviceId, long fromTs, long toTs, EventType? type, int limit, CancellationToken cancellationToken)
    {
        return Task.FromResult<IReadOnlyList<StoredEvent>>(Rows(
            $"""
            SELECT {EventColumns} FROM events
            WHERE device_id = $device AND ts >= $from AND ts < $to AND ($type IS NULL OR type = $type)
            ORDER BY ts, seq LIMIT $limit
            """,
            ToEvent,
            ("device", deviceId), ("from", fromTs), ("to", toTs), ("type", type?.ToWireName()), ("limit", limit)));
    }

    public Task<Stamp?> NewestLockReportAsync(string deviceId, LockState state, long fromTs, long toTs, CancellationToken cancellationToken) =>
        Task.FromResult(LockReport(deviceId, state, fromTs, toTs, "DESC"));

    public Task<Stamp?> OldestLockReportAsync(string deviceId, LockState state, long fromTs, long toTs, CancellationToken cancellationToken) =>
        Task.FromResult(LockReport(deviceId, state, fromTs, toTs, "ASC"));

    public void Dispose() => _writer.Dispose();

    private DuckDBConnection Open()
    {
        var connection = new DuckDBConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private Stamp? LockReport(string deviceId, LockState state, long fromTs, long toTs, string direction)
    {
        return Rows<Stamp?>(
            $"""
            SELECT ts, seq FROM (
                SELECT ts, seq FROM readings WHERE device_id = $device AND ts >= $from AND ts < $to AND lock = $lock
                UNION ALL
                SELECT ts, seq FROM events WHERE device_id = $device AND ts >= $from AND ts < $to AND type = $type AND lock = $lock)
            ORDER BY ts {direction}, seq {direction} LIMIT 1
            """,
            r => new Stamp(r.GetInt64(0), r.GetInt64(1)),
            ("device", deviceId), ("from", fromTs), ("to", toTs), ("lock", state.ToWireName()), ("type", EventType.LockChanged.ToWireName()))
            .FirstOrDefault();
    }

    /// <summary>A command on <paramref name="connection"/> with named parameters (<c>$name</c> in the SQL).</summary>
    private static DuckDBCommand Command(DuckDBConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        return command;
    }

    /// <summary>Every row of a query, mapped, on a connection of its own.</summary>
    private List<T> Rows<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var connection = Open();
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static StoredReading ToReading(DbDataReader r)
    {
        var reading = new Reading
        {
            Seq = r.GetInt64(1),
            Ts = r.GetInt64(2),
            Lat = Double(r, 3),
            Lon = Double(r, 4),
            Alt = Double(r, 5),
            Speed = Double(r, 6),
            Course = Double(r, 7),
            Hdop = Double(r, 8),
            Sats = Int(r, 9),
            Fix = Int(r, 10),
            Battery = Int(r, 11),
            Lock = StoredWire.Lock(Text(r, 12)),
            Slots = SlotsJson.Read(Text(r, 13)),
        };
        return new StoredReading(r.GetString(0), reading, Text(r, 14), r.GetInt64(15));
    }

    private static StoredEvent ToEvent(DbDataReader r)
    {
        var deviceEvent = new DeviceEvent
        {
            Seq = r.GetInt64(1),
            Ts = r.GetInt64(2),
            Type = StoredWire.Event(r.GetString(3)) ?? throw new InvalidDataException($"Unknown event type '{r.GetString(3)}' in the history store."),
            Lock = StoredWire.Lock(Text(r, 4)),
            Slot = Int(r, 5),
            SlotState = StoredWire.Slot(Text(r, 6)),
            Item = Text(r, 7),
            Battery = Int(r, 8),
            Lat = Double(r, 9),
            Lon = Double(r, 10),
            Distance = Double(r, 11),
            Fw = Text(r, 12),
            Reason = Text(r, 13),
        };
        return new StoredEvent(r.GetString(0), deviceEvent, r.GetInt64(14));
    }

    private static double? Double(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static int? Int(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}

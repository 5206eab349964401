using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Latest;

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>
/// The history in InfluxDB over the v1 HTTP API. Measurements <c>readings</c> and <c>events</c>; tags
/// <c>device</c> and <c>kind</c>; every other column of <see cref="DuckDbHistoryStore"/> is a field
/// (<c>seq</c>, <c>commit_id</c>, <c>received_at</c> as integers). The point time in nanoseconds is
/// <c>ts</c> ms × 10⁶ + (<c>seq</c> mod 10⁶): two readings in one millisecond stay two points, and a point
/// written again (a replayed batch) overwrites itself instead of adding a row. <c>ts</c> is read back from
/// the time. Writes go in requests of <see cref="BatchLines"/> lines: a batch bigger than that is not
/// atomic, but since a rewrite is harmless the ingest's retry (PUBACK withheld, the device resends)
/// completes it. On 1.x the database is created when missing, and with
/// <see cref="InfluxDbOptions.RetentionDays"/> its default retention policy gets that duration; on
/// 2.x/3.x the operator maps the database (DBRP) beforehand.
/// </summary>
public sealed class InfluxDbHistoryStore : IHistoryStore, IHistoryQueries, IDisposable
{
    /// <summary>Lines per write request.</summary>
    public const int BatchLines = 5_000;

    public const string Readings = "readings";
    public const string Events = "events";

    // InfluxDB's time range is ±(2⁶³ − 2) ns; device times are clamped to it so that ×10⁶ never overflows.
    private const long MinTimeNs = -9_223_372_036_854_775_806;
    private const long MaxTimeNs = 9_223_372_036_854_775_806;
    private const long MinTsMs = -9_223_372_036_853;
    private const long MaxTsMs = 9_223_372_036_853;
    private const long NsPerMs = 1_000_000;

    private static readonly string AllTime = $"time >= {MinTimeNs} AND time <= {MaxTimeNs}";

    private readonly InfluxDbClient _client;
    private readonly InfluxDbOptions _options;
    private readonly SemaphoreSlim _setUp = new(1, 1);
    private volatile bool _ready;
    private bool _isV1;

    public InfluxDbHistoryStore(InfluxDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _client = new InfluxDbClient(options);
        Database = options.Database;
    }

    public string Database { get; }

    /// <summary>The point time of an item: <c>ts</c> ms × 10⁶ + (<c>seq</c> mod 10⁶) ns.</summary>
    public static long PointTime(long ts, long seq) => checked((ts * NsPerMs) + (((seq % NsPerMs) + NsPerMs) % NsPerMs));

    /// <summary>The device time (ms) of a point time: the inverse of <see cref="PointTime"/> for the ts part.</summary>
    public static long TsOf(long time)
    {
        var ts = Math.DivRem(time, NsPerMs, out var rest);
        return rest < 0 ? ts - 1 : ts;
    }

    /// <summary>Pings the server and, on 1.x, creates the database and sets its retention. Runs once; every call waits for it.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _setUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            var version = await _client.PingAsync(cancellationToken).ConfigureAwait(false);
            _isV1 = version.TrimStart('v').StartsWith("1.", StringComparison.Ordinal);
            if (_isV1)
            {
                await _client.ExecuteAsync(null, $"CREATE DATABASE {InfluxQl.Identifier(Database)}", cancellationToken).ConfigureAwait(false);
                if (_options.RetentionDays is { } days)
                {
                    await SetRetentionAsync(days, cancellationToken).ConfigureAwait(false);
                }
            }

            _ready = true;
        }
        finally
        {
            _setUp.Release();
        }
    }

    public async Task WriteAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var lines = new LineProtocolWriter();
        foreach (var message in batch.Messages)
        {
            var kind = message.Kind.ToWireName();
            foreach (var item in message.ItemsToStore)
            {
                if (item.Reading is { } r)
                {
                    lines.Measurement(Readings).Tag("device", message.DeviceId).Tag("kind", kind)
                        .Field("seq", r.Seq)
                        .FieldIfSet("lat", r.Lat).FieldIfSet("lon", r.Lon).FieldIfSet("alt", r.Alt).FieldIfSet("speed", r.Speed)
                        .FieldIfSet("course", r.Course).FieldIfSet("hdop", r.Hdop).FieldIfSet("sats", r.Sats).FieldIfSet("fix", r.Fix)
                        .FieldIfSet("battery", r.Battery).FieldIfSet("lock", r.Lock?.ToWireName()).FieldIfSet("slots", SlotsJson.Write(r.Slots))
                        .FieldIfSet("position_rejected", item.PositionRejected)
                        .Field("received_at", message.ReceivedAtMs).Field("commit_id", batch.CommitId)
                        .Timestamp(PointTime(r.Ts, r.Seq));
                }
                else if (item.Event is { } e)
                {
                    lines.Measurement(Events).Tag("device", message.DeviceId).Tag("kind", kind)
                        .Field("seq", e.Seq).Field("type", e.Type.ToWireName())
                        .FieldIfSet("lock", e.Lock?.ToWireName()).FieldIfSet("slot", e.Slot).FieldIfSet("slot_state", e.SlotState?.ToWireName())
                        .FieldIfSet("item", e.Item).FieldIfSet("battery", e.Battery).FieldIfSet("lat", e.Lat).FieldIfSet("lon", e.Lon)
                        .FieldIfSet("distance", e.Distance).FieldIfSet("fw", e.Fw).FieldIfSet("reason", e.Reason)
                        .Field("received_at", message.ReceivedAtMs).Field("commit_id", batch.CommitId)
                        .Timestamp(PointTime(e.Ts, e.Seq));
                }

                if (lines.LineCount >= BatchLines)
                {
                    await _client.WriteAsync(Database, lines.ToString(), cancellationToken).ConfigureAwait(false);
                    lines.Clear();
                }
            }
        }

        if (lines.LineCount > 0)
        {
            await _client.WriteAsync(Database, lines.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlySet<ItemKey>> FindKeysAsync(string deviceId, long fromTs, long toTs, CancellationToken cancellationToken)
    {
        var keys = new HashSet<ItemKey>();
        var where = $"{DeviceIs(deviceId)} AND time >= {Bound(fromTs)} AND time < {Bound(Clamp(toTs) + 1)}";
        foreach (var measurement in new[] { Readings, Events })
        {
            await foreach (var row in RowsAsync($"SELECT \"seq\" FROM {measurement} WHERE {where}", cancellationToken).ConfigureAwait(false))
            {
                keys.Add(new ItemKey(row.Long("seq"), row.Ts));
            }
        }

        return keys;
    }

    public async IAsyncEnumerable<(string DeviceId, ItemKey Key)> ReadKeysSinceAsync(long sinceTs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // InfluxQL orders by time only: arrival order is sorted here, as DuckDB does in SQL.
        var keys = new List<(string DeviceId, ItemKey Key, long ReceivedAt)>();
        foreach (var measurement in new[] { Readings, Events })
        {
            var query = $"SELECT \"seq\", \"received_at\", \"device\" FROM {measurement} WHERE time >= {Bound(sinceTs)} AND time <= {MaxTimeNs}";
            await foreach (var row in RowsAsync(query, cancellationToken).ConfigureAwait(false))
            {
                keys.Add((row.Text("device") ?? string.Empty, new ItemKey(row.Long("seq"), row.Ts), row.Long("received_at")));
            }
        }

        foreach (var (deviceId, key, _) in keys.OrderBy(k => k.ReceivedAt).ThenBy(k => k.Key.Ts))
        {
            yield return (deviceId, key);
        }
    }

    /// <summary>
    /// Always false: a point written again (same series, same time) overwrites itself, so replaying a batch the
    /// server already holds stores nothing twice. Answering false spares a scan of the whole commit_id field.
    /// </summary>
    public Task<bool> ContainsCommitAsync(long commitId, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary><c>/ping</c>: answers without touching any data.</summary>
    public Task PingAsync(CancellationToken cancellationToken) => _client.PingAsync(cancellationToken);

    public async Task<long> LastCommitIdAsync(CancellationToken cancellationToken)
    {
        long last = 0;
        foreach (var measurement in new[] { Readings, Events })
        {
            await foreach (var row in RowsAsync($"SELECT max(\"commit_id\") FROM {measurement} WHERE {AllTime}", cancellationToken).ConfigureAwait(false))
            {
                last = Math.Max(last, row.Long("max"));
            }
        }

        return last;
    }

    public async IAsyncEnumerable<CommittedItem> ReadCommittedAfterAsync(long commitId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A field filter scans the measurements; this runs once at start, for what the latest state has not seen.
        var items = new List<(long CommitId, int Order, long Time, CommittedItem Item)>();
        var where = $"\"commit_id\" > {commitId.ToString(CultureInfo.InvariantCulture)} AND {AllTime}";
        await foreach (var row in RowsAsync($"SELECT * FROM {Readings} WHERE {where}", cancellationToken).ConfigureAwait(false))
        {
            var stored = ToReading(row);
            var item = new IngestItem(stored.Reading) { PositionRejected = stored.PositionRejected };
            items.Add((row.Long("commit_id"), 0, row.Time, new CommittedItem(stored.DeviceId, row.Long("commit_id"), item, stored.ReceivedAtMs)));
        }

        await foreach (var row in RowsAsync($"SELECT * FROM {Events} WHERE {where}", cancellationToken).ConfigureAwait(false))
        {
            var stored = ToEvent(row);
            items.Add((row.Long("commit_id"), 1, row.Time, new CommittedItem(stored.DeviceId, row.Long("commit_id"), new IngestItem(stored.Event), stored.ReceivedAtMs)));
        }

        foreach (var entry in items.OrderBy(i => i.CommitId).ThenBy(i => i.Order).ThenBy(i => i.Time))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry.Item;
        }
    }

    /// <summary>
    /// Deletes with InfluxQL <c>DELETE</c> on 1.x. On 2.x/3.x the v1 <c>/query</c> answers only <c>SELECT</c> and
    /// <c>SHOW</c>: there the bucket's (database's) own retention period deletes, and this returns 0.
    /// </summary>
    public async Task<long> DeleteOlderThanAsync(long beforeTs, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        if (!_isV1)
        {
            return 0;
        }

        // DELETE does not say how many points it removed: they are counted first.
        var where = $"time >= {MinTimeNs} AND time < {Bound(beforeTs)}";
        long deleted = 0;
        foreach (var measurement in new[] { Readings, Events })
        {
            await foreach (var row in RowsAsync($"SELECT count(\"seq\") FROM {measurement} WHERE {where}", cancellationToken).ConfigureAwait(false))
            {
                deleted += row.Long("count");
            }
        }

        if (deleted > 0)
        {
            foreach (var measurement in new[] { Readings, Events })
            {
                await _client.ExecuteAsync(Database, $"DELETE FROM {measurement} WHERE time < {Bound(beforeTs)}", cancellationToken).ConfigureAwait(false);
            }
        }

        return deleted;
    }

    public async Task<IReadOnlyList<StoredReading>> ReadingsAsync(string deviceId, long fromTs, long toTs, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return []; // InfluxQL's LIMIT 0 means no limit.
        }

        var list = new List<(long Time, StoredReading Reading)>();
        var query = $"SELECT * FROM {Readings} WHERE {DeviceIs(deviceId)} AND {Window(fromTs, toTs)} ORDER BY time ASC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        await foreach (var row in RowsAsync(query, cancellationToken).ConfigureAwait(false))
        {
            list.Add((row.Time, ToReading(row)));
        }

        return list.OrderBy(r => r.Reading.Reading.Ts).ThenBy(r => r.Reading.Reading.Seq).Select(r => r.Reading).ToList();
    }

    public async Task<IReadOnlyList<StoredEvent>> EventsAsync(string deviceId, long fromTs, long toTs, EventType? type, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var typeIs = type is { } t ? $" AND \"type\" = {InfluxQl.Literal(t.ToWireName())}" : string.Empty;
        var query = $"SELECT * FROM {Events} WHERE {DeviceIs(deviceId)} AND {Window(fromTs, toTs)}{typeIs} ORDER BY time ASC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        var list = new List<StoredEvent>();
        await foreach (var row in RowsAsync(query, cancellationToken).ConfigureAwait(false))
        {
            list.Add(ToEvent(row));
        }

        return list.OrderBy(e => e.Event.Ts).ThenBy(e => e.Event.Seq).ToList();
    }

    public Task<Stamp?> NewestLockReportAsync(string deviceId, LockState state, long fromTs, long toTs, CancellationToken cancellationToken) =>
        LockReportAsync(deviceId, state, fromTs, toTs, newest: true, cancellationToken);

    public Task<Stamp?> OldestLockReportAsync(string deviceId, LockState state, long fromTs, long toTs, CancellationToken cancellationToken) =>
        LockReportAsync(deviceId, state, fromTs, toTs, newest: false, cancellationToken);

    public void Dispose()
    {
        _client.Dispose();
        _setUp.Dispose();
    }

    private async Task<Stamp?> LockReportAsync(string deviceId, LockState state, long fromTs, long toTs, bool newest, CancellationToken cancellationToken)
    {
        var where = $"{DeviceIs(deviceId)} AND {Window(fromTs, toTs)} AND \"lock\" = {InfluxQl.Literal(state.ToWireName())}";
        var order = newest ? "DESC" : "ASC";
        Stamp? found = null;
        string[] queries =
        [
            $"SELECT \"seq\" FROM {Readings} WHERE {where} ORDER BY time {order} LIMIT 1",
            $"SELECT \"seq\" FROM {Events} WHERE {where} AND \"type\" = {InfluxQl.Literal(EventType.LockChanged.ToWireName())} ORDER BY time {order} LIMIT 1",
        ];
        foreach (var query in queries)
        {
            await foreach (var row in RowsAsync(query, cancellationToken).ConfigureAwait(false))
            {
                var stamp = new Stamp(row.Ts, row.Long("seq"));
                if (found is not { } f || (newest ? stamp > f : stamp < f))
                {
                    found = stamp;
                }
            }
        }

        return found;
    }

    private async Task SetRetentionAsync(int days, CancellationToken cancellationToken)
    {
        // The default policy (autogen unless the operator changed it) gets the duration: points already written stay visible.
        var policy = "autogen";
        // Straight to the client: this runs inside EnsureReadyAsync, which RowsAsync would wait for.
        await foreach (var series in _client.QueryAsync(null, $"SHOW RETENTION POLICIES ON {InfluxQl.Identifier(Database)}", cancellationToken).ConfigureAwait(false))
        {
            foreach (var values in series.Values)
            {
                var row = new Row(series, values);
                if (row.Bool("default"))
                {
                    policy = row.Text("name") ?? policy;
                }
            }
        }

        var shard = days < 2 ? "1h" : days <= 180 ? "1d" : "7d";
        var statement = string.Create(
            CultureInfo.InvariantCulture,
            $"ALTER RETENTION POLICY {InfluxQl.Identifier(policy)} ON {InfluxQl.Identifier(Database)} DURATION {days}d SHARD DURATION {shard} DEFAULT");
        await _client.ExecuteAsync(null, statement, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<Row> RowsAsync(string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var series in _client.QueryAsync(Database, query, cancellationToken).ConfigureAwait(false))
        {
            foreach (var values in series.Values)
            {
                yield return new Row(series, values);
            }
        }
    }

    private static string DeviceIs(string deviceId) => $"\"device\" = {InfluxQl.Literal(deviceId)}";

    /// <summary><paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/> as a time condition.</summary>
    private static string Window(long fromTs, long toTs) => $"time >= {Bound(fromTs)} AND time < {Bound(toTs)}";

    private static long Clamp(long ts) => Math.Clamp(ts, MinTsMs, MaxTsMs);

    private static string Bound(long ts) => (Clamp(ts) * NsPerMs).ToString(CultureInfo.InvariantCulture);

    private static StoredReading ToReading(Row row)
    {
        var reading = new Reading
        {
            Seq = row.Long("seq"),
            Ts = row.Ts,
            Lat = row.Double("lat"),
            Lon = row.Double("lon"),
            Alt = row.Double("alt"),
            Speed = row.Double("speed"),
            Course = row.Double("course"),
            Hdop = row.Double("hdop"),
            Sats = row.Int("sats"),
            Fix = row.Int("fix"),
            Battery = row.Int("battery"),
            Lock = StoredWire.Lock(row.Text("lock")),
            Slots = SlotsJson.Read(row.Text("slots")),
        };
        return new StoredReading(row.Text("device") ?? string.Empty, reading, row.Text("position_rejected"), row.Long("received_at"));
    }

    private static StoredEvent ToEvent(Row row)
    {
        var type = row.Text("type");
        var deviceEvent = new DeviceEvent
        {
            Seq = row.Long("seq"),
            Ts = row.Ts,
            Type = StoredWire.Event(type) ?? throw new InvalidDataException($"Unknown event type '{type}' in the history store."),
            Lock = StoredWire.Lock(row.Text("lock")),
            Slot = row.Int("slot"),
            SlotState = StoredWire.Slot(row.Text("slot_state")),
            Item = row.Text("item"),
            Battery = row.Int("battery"),
            Lat = row.Double("lat"),
            Lon = row.Double("lon"),
            Distance = row.Double("distance"),
            Fw = row.Text("fw"),
            Reason = row.Text("reason"),
        };
        return new StoredEvent(row.Text("device") ?? string.Empty, deviceEvent, row.Long("received_at"));
    }

    /// <summary>One row of an answer, its values looked up by column name; an absent column reads as null.</summary>
    private readonly struct Row(InfluxSeries series, JsonElement[] values)
    {
        public long Time => values[series.IndexOf("time")].GetInt64();

        public long Ts => TsOf(Time);

        public long Long(string column) => Value(column) is { } v ? v.GetInt64() : throw new InvalidDataException($"'{column}' is missing in a point of '{series.Name}'.");

        public int? Int(string column) => Value(column)?.GetInt32();

        public double? Double(string column) => Value(column)?.GetDouble();

        public string? Text(string column) => Value(column)?.GetString();

        public bool Bool(string column) => Value(column) is { ValueKind: JsonValueKind.True };

        private JsonElement? Value(string column)
        {
            var i = series.IndexOf(column);
            return i < 0 || values[i].ValueKind == JsonValueKind.Null ? null : values[i];
        }
    }
}

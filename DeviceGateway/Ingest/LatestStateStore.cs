using System.Globalization;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Latest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>
/// The latest state of every device in <c>state.db</c> (tables <c>device_latest</c>, <c>device_slots</c>).
/// Each group commit is folded in memory before its PUBACKs go out; <see cref="SaveAsync"/> writes what changed,
/// together with the last commit id folded (<c>ingest_watermark</c>), in one transaction. It runs every
/// <c>Ingest:LatestSaveIntervalMilliseconds</c> (<see cref="IngestService"/>), at stop, and before every read of
/// these tables, so a query sees every acknowledged reading while a device's many readings between two saves
/// cost one row write. The history is the truth: after a crash, <see cref="RecoverAsync"/> folds in what it
/// holds beyond the watermark. Saves commit together with the other writes of <c>state.db</c> (<see cref="GroupedWrites"/>).
/// </summary>
public sealed class LatestStateStore(StateStore store, GroupedWrites writes) : ICommitObserver, ILastFixSource, IDisposable
{
    // Folded states of the devices seen so far and those not saved yet; used only under the gate (and by recovery before it).
    private readonly Dictionary<string, DeviceLatest> _folded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsaved = new(StringComparer.Ordinal);

    // The last commit folded in memory, and the last one whose fold is in state.db.
    private long _foldedThrough;
    private long _savedThrough;

    // One at a time: the group commit's fold, the saves and locks from command acks (recovery runs before all of them).
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The seq an ack's lock state is stamped with: below any seq a device sends, so its own report of the same ms wins.</summary>
    private const long AckSeq = -1;

    /// <summary>Folds the commit into the states in memory (loading a device's stored state on first sight); saved later.</summary>
    public async ValueTask OnCommittedAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadUnknownAsync(batch.Messages.Select(m => m.DeviceId), cancellationToken).ConfigureAwait(false);
            foreach (var message in batch.Messages)
            {
                var latest = _folded[message.DeviceId];
                foreach (var item in message.ItemsToStore)
                {
                    if (latest.Apply(item, message.ReceivedAtMs))
                    {
                        _unsaved.Add(message.DeviceId);
                    }
                }
            }

            _foldedThrough = Math.Max(_foldedThrough, batch.CommitId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes the states folded since the last save and the watermark in one transaction (nothing when nothing
    /// changed). Every read of <c>device_latest</c>/<c>device_slots</c> calls it first.
    /// </summary>
    public async ValueTask SaveAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_unsaved.Count == 0 && _foldedThrough <= _savedThrough)
            {
                return;
            }

            await SaveUnsavedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Folds in a lock state a device reported in a command's <c>done</c> ack (device time <paramref name="ts"/>; a
    /// reading or event of the same millisecond wins). Saved at once; true when it became the latest lock.
    /// </summary>
    public async Task<bool> ApplyAckedLockAsync(string deviceId, LockState state, long ts, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadUnknownAsync([deviceId], cancellationToken).ConfigureAwait(false);
            if (!_folded[deviceId].ApplyLock(state, new Stamp(ts, AckSeq)))
            {
                return false;
            }

            _unsaved.Add(deviceId);
            await SaveUnsavedAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Folds in the items committed after this store's watermark — those in the history and those only in the
    /// spool (a crash after the spool append, before this fold) — and returns how many. Folding an item twice
    /// (a batch in both, replayed but not yet removed) changes nothing.
    /// </summary>
    public async Task<int> RecoverAsync(IHistoryStore history, HistorySpool spool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(spool);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var watermark = Watermark(connection);
            _savedThrough = watermark;
            var last = watermark;
            var count = 0;
            await foreach (var committed in history.ReadCommittedAfterAsync(watermark, cancellationToken).ConfigureAwait(false))
            {
                if (Folded(connection, committed.DeviceId).Apply(committed.Item, committed.ReceivedAtMs))
                {
                    _unsaved.Add(committed.DeviceId);
                }

                last = Math.Max(last, committed.CommitId);
                count++;
            }

            foreach (var batch in spool.ReadAll().Where(b => b.CommitId > watermark))
            {
                foreach (var message in batch.Messages)
                {
                    foreach (var item in message.ItemsToStore)
                    {
                        if (Folded(connection, message.DeviceId).Apply(item, message.ReceivedAtMs))
                        {
                            _unsaved.Add(message.DeviceId);
                        }

                        count++;
                    }
                }

                last = Math.Max(last, batch.CommitId);
            }

            _foldedThrough = last;
            if (last > watermark)
            {
                await SaveUnsavedAsync(cancellationToken).ConfigureAwait(false);
            }

            return count;
        }
    }

    public LastFix? GetLastFix(string deviceId)
    {
        using var connection = store.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT position_ts, lat, lon FROM device_latest WHERE device_id = $id AND lat IS NOT NULL";
        select.Parameters.AddWithValue("$id", deviceId);
        using var reader = select.ExecuteReader();
        return reader.Read() ? new LastFix(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2)) : null;
    }

    /// <summary>The latest state of a device as saved (after saving what is folded); null when it never sent anything.</summary>
    public async Task<DeviceLatest?> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        await SaveAsync(cancellationToken).ConfigureAwait(false);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return Load(connection, deviceId);
        }
    }

    /// <summary>Loads the stored state of each device not folded yet (opening a connection only when there is one); the caller holds the gate.</summary>
    private async Task LoadUnknownAsync(IEnumerable<string> deviceIds, CancellationToken cancellationToken)
    {
        var unknown = deviceIds.Where(id => !_folded.ContainsKey(id)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var deviceId in unknown)
            {
                _ = Folded(connection, deviceId);
            }
        }
    }

    private DeviceLatest Folded(SqliteConnection connection, string deviceId)
    {
        if (!_folded.TryGetValue(deviceId, out var latest))
        {
            latest = Load(connection, deviceId) ?? new DeviceLatest(deviceId);
            _folded[deviceId] = latest;
        }

        return latest;
    }

    private static long Watermark(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT commit_id FROM ingest_watermark WHERE id = 1";
        return Convert.ToInt64(select.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Writes the unsaved states and the watermark <see cref="_foldedThrough"/> in one grouped write; the caller holds the
    /// gate (or runs before any writer), so nothing changes them until it is committed.
    /// </summary>
    private async Task SaveUnsavedAsync(CancellationToken cancellationToken)
    {
        var commitId = _foldedThrough;
        await writes.RunAsync((connection, transaction) =>
        {
            using (var upsert = new SqliteRowWriter(connection, """
                INSERT OR REPLACE INTO device_latest (device_id, reading_json, reading_seq, reading_ts, position_rejected, received_at,
                    lock, lock_ts, lock_seq, battery, battery_ts, battery_seq, lat, lon, position_ts, position_seq)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16);
                """))
            using (var slot = new SqliteRowWriter(connection, "INSERT OR REPLACE INTO device_slots (device_id, n, state, item, charge, ts, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"))
            {
                foreach (var deviceId in _unsaved)
                {
                    var l = _folded[deviceId];
                    var r = l.Reading;
                    upsert.Add(deviceId).Add(r is null ? null : System.Text.Encoding.UTF8.GetString(PayloadCodec.Encode(r))).Add(r?.Seq).Add(r?.Ts)
                        .Add(l.ReadingPositionRejected).Add(l.ReadingReceivedAtMs)
                        .Add(l.Lock?.ToWireName()).Add(l.LockStamp?.Ts).Add(l.LockStamp?.Seq).Add(l.Battery).Add(l.BatteryStamp?.Ts).Add(l.BatteryStamp?.Seq)
                        .Add(l.Position?.Lat).Add(l.Position?.Lon).Add(l.PositionStamp?.Ts).Add(l.PositionStamp?.Seq)
                        .EndRow();
                    foreach (var known in l.Slots)
                    {
                        slot.Add(deviceId).Add(known.N).Add(known.State.ToWireName()).Add(known.Item).Add(known.Charge).Add(known.Stamp.Ts).Add(known.Stamp.Seq)
                            .EndRow();
                    }
                }
            }

            using var watermark = connection.CreateCommand();
            watermark.Transaction = transaction;
            watermark.CommandText = "UPDATE ingest_watermark SET commit_id = max(commit_id, $commit) WHERE id = 1";
            watermark.Parameters.AddWithValue("$commit", commitId);
            watermark.ExecuteNonQuery();
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _unsaved.Clear();
        _savedThrough = Math.Max(_savedThrough, commitId);
    }

    private static DeviceLatest? Load(SqliteConnection connection, string deviceId)
    {
        using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT reading_json, position_rejected, received_at, lock, lock_ts, lock_seq, battery, battery_ts, battery_seq,
                   lat, lon, position_ts, position_seq
            FROM device_latest WHERE device_id = $id;
            SELECT n, state, item, charge, ts, seq FROM device_slots WHERE device_id = $id ORDER BY n;
            """;
        select.Parameters.AddWithValue("$id", deviceId);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        Reading? reading = null;
        if (Text(reader, 0) is { } json && PayloadCodec.TryDecodeReadings(System.Text.Encoding.UTF8.GetBytes(json), out var decoded, out _) && decoded.Count == 1)
        {
            reading = decoded[0];
        }

        var latest = new DeviceLatest(deviceId);
        var positionStamp = StampOf(reader, 11, 12);
        LastFix? position = positionStamp is { } ps ? new LastFix(ps.Ts, reader.GetDouble(9), reader.GetDouble(10)) : null;
        var lockState = WireNames.TryParseLockState(Text(reader, 3), out var parsed) ? parsed : (LockState?)null;
        var battery = reader.IsDBNull(6) ? (int?)null : reader.GetInt32(6);
        var receivedAt = reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2);
        var positionRejected = Text(reader, 1);
        var lockStamp = StampOf(reader, 4, 5);
        var batteryStamp = StampOf(reader, 7, 8);

        var slots = new List<SlotLatest>();
        reader.NextResult();
        while (reader.Read())
        {
            if (WireNames.TryParseSlotState(reader.GetString(1), out var state))
            {
                slots.Add(new SlotLatest(reader.GetInt32(0), state, Text(reader, 2), reader.IsDBNull(3) ? null : reader.GetInt32(3), new Stamp(reader.GetInt64(4), reader.GetInt64(5))));
            }
        }

        latest.Restore(reading, positionRejected, receivedAt, lockState, lockStamp, battery, batteryStamp, position, positionStamp, slots);
        return latest;
    }

    private static Stamp? StampOf(SqliteDataReader reader, int ts, int seq) =>
        reader.IsDBNull(ts) ? null : new Stamp(reader.GetInt64(ts), reader.GetInt64(seq));

    private static string? Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    public void Dispose() => _gate.Dispose();
}

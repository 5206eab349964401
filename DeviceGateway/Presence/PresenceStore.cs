using System.Threading.Channels;
using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Storage;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>
/// Presence in <c>state.db</c>: every transition (table <c>presence</c>) and per device the last-seen time
/// and its own last status message (table <c>device_state</c>). The broker records transitions into a queue;
/// <see cref="PresenceWriter"/> writes them in batches so a reconnect storm costs a few transactions.
/// </summary>
public sealed class PresenceStore(StateStore store) : IPresenceStore
{
    private readonly Channel<PresenceTransition> _pending = Channel.CreateUnbounded<PresenceTransition>(
        new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<PresenceTransition> Pending => _pending.Reader;

    public void Record(PresenceTransition transition) => _pending.Writer.TryWrite(transition);

    /// <summary>Writes transitions and last-seen times in one transaction.</summary>
    public async Task WriteAsync(
        IReadOnlyList<PresenceTransition> transitions, IReadOnlyList<KeyValuePair<string, long>> lastSeen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(lastSeen);
        if (transitions.Count == 0 && lastSeen.Count == 0)
        {
            return;
        }

        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO presence (device_id, at, online, reason, endpoint) VALUES ($id, $at, $online, $reason, $endpoint);
                    INSERT INTO device_state (device_id, online) VALUES ($id, $online)
                        ON CONFLICT (device_id) DO UPDATE SET online = excluded.online;
                    """;
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var at = insert.Parameters.Add("$at", SqliteType.Integer);
                var online = insert.Parameters.Add("$online", SqliteType.Integer);
                var reason = insert.Parameters.Add("$reason", SqliteType.Text);
                var endpoint = insert.Parameters.Add("$endpoint", SqliteType.Text);
                foreach (var t in transitions)
                {
                    id.Value = t.DeviceId;
                    at.Value = t.At.ToUnixTimeMilliseconds();
                    online.Value = t.Online ? 1 : 0;
                    reason.Value = t.Reason;
                    endpoint.Value = (object?)t.Endpoint ?? DBNull.Value;
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await using var seen = connection.CreateCommand();
                seen.Transaction = transaction;
                seen.CommandText = """
                    INSERT INTO device_state (device_id, last_seen) VALUES ($id, $seen)
                        ON CONFLICT (device_id) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen);
                    """;
                var seenId = seen.Parameters.Add("$id", SqliteType.Text);
                var seenAt = seen.Parameters.Add("$seen", SqliteType.Integer);
                foreach (var (device, ms) in lastSeen)
                {
                    seenId.Value = device;
                    seenAt.Value = ms;
                    await seen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// After a crash nobody recorded the devices going offline: at start, every device still marked online
    /// gets an offline transition with <paramref name="reason"/>. Returns how many.
    /// </summary>
    public async Task<int> CloseStaleSessionsAsync(DateTimeOffset at, string reason, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var update = connection.CreateCommand();
            update.CommandText = """
                INSERT INTO presence (device_id, at, online, reason) SELECT device_id, $at, 0, $reason FROM device_state WHERE online = 1;
                UPDATE device_state SET online = 0 WHERE online = 1;
                """;
            update.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            update.Parameters.AddWithValue("$reason", reason);
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) / 2;
        }
    }

    /// <summary>Stores the device's own status message (retained status or its will).</summary>
    public async Task SaveStatusAsync(string deviceId, string statusJson, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO device_state (device_id, status_json, status_at) VALUES ($id, $json, $at)
                    ON CONFLICT (device_id) DO UPDATE SET status_json = excluded.status_json, status_at = excluded.status_at;
                """;
            upsert.Parameters.AddWithValue("$id", deviceId);
            upsert.Parameters.AddWithValue("$json", statusJson);
            upsert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stored last-seen and status of each device in <paramref name="deviceIds"/> that has any.</summary>
    public async Task<IReadOnlyDictionary<string, StoredDeviceState>> GetStatesAsync(IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var states = new Dictionary<string, StoredDeviceState>(StringComparer.Ordinal);
        if (deviceIds.Count == 0)
        {
            return states;
        }

        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            var names = new List<string>(deviceIds.Count);
            foreach (var id in deviceIds)
            {
                var name = $"$d{names.Count}";
                select.Parameters.AddWithValue(name, id);
                names.Add($"({name})");
            }

            select.CommandText = $"""
                WITH ids(id) AS (VALUES {string.Join(',', names)})
                SELECT ids.id, s.last_seen, s.status_json, s.status_at, l.lock, l.battery
                FROM ids LEFT JOIN device_state s ON s.device_id = ids.id LEFT JOIN device_latest l ON l.device_id = ids.id
                WHERE s.device_id IS NOT NULL OR l.device_id IS NOT NULL
                """;
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                states[reader.GetString(0)] = new StoredDeviceState(
                    reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetInt32(5));
            }
        }

        return states;
    }

    /// <summary>Transitions of one device in [from, to], oldest first.</summary>
    public async Task<IReadOnlyList<PresenceTransition>> GetTransitionsAsync(
        string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var items = new List<PresenceTransition>();
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            select.CommandText = """
                SELECT at, online, reason, endpoint FROM presence
                WHERE device_id = $id AND at >= $from AND at <= $to
                ORDER BY at, rowid
                LIMIT $limit
                """;
            select.Parameters.AddWithValue("$id", deviceId);
            select.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            select.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            select.Parameters.AddWithValue("$limit", limit);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(new PresenceTransition(
                    deviceId,
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                    reader.GetInt64(1) == 1,
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        return items;
    }
}

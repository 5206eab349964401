using System.Globalization;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// The command ledger in <c>state.db</c> (tables <c>commands</c>, <c>command_history</c>). Every change of state is
/// one transaction together with its history entry, and is made only from the state the caller saw
/// (compare-and-set), so two racing changes cannot both win. The changes of many commands share one commit with
/// each other and with the other writes of <c>state.db</c> (<see cref="GroupedWrites"/>): each is still its own unit (a
/// savepoint) and is answered only once committed.
/// </summary>
public sealed class CommandLedger(StateStore store, GroupedWrites writes)
{

    private const string Columns =
        "id, device_id, idempotency_key, request, action, slot, state, reason, late, requested_by, queue_if_offline, created_at, expires_at, delivered_at, attempts, kid, sig";

    /// <summary>Adds a new command with its first history entry; false (and nothing written) when the device already has a command with this key.</summary>
    public Task<bool> TryInsertAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return writes.RunAsync((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO commands ({Columns})
                VALUES ($id, $device, $key, $request, $action, $slot, $state, $reason, 0, $by, $queue, $created, $expires, NULL, 0, $kid, $sig)
                ON CONFLICT (device_id, idempotency_key) DO NOTHING;
                """;
            insert.Parameters.AddWithValue("$id", command.Id);
            insert.Parameters.AddWithValue("$device", command.DeviceId);
            insert.Parameters.AddWithValue("$key", command.IdempotencyKey);
            insert.Parameters.AddWithValue("$request", command.Request);
            insert.Parameters.AddWithValue("$action", command.Action.ToWireName());
            insert.Parameters.AddWithValue("$slot", (object?)command.Slot ?? DBNull.Value);
            insert.Parameters.AddWithValue("$state", command.State.ToWireName());
            insert.Parameters.AddWithValue("$reason", (object?)command.Reason ?? DBNull.Value);
            insert.Parameters.AddWithValue("$by", command.RequestedBy);
            insert.Parameters.AddWithValue("$queue", command.QueueIfOffline ? 1 : 0);
            insert.Parameters.AddWithValue("$created", command.CreatedAt);
            insert.Parameters.AddWithValue("$expires", command.ExpiresAt);
            insert.Parameters.AddWithValue("$kid", command.Kid);
            insert.Parameters.AddWithValue("$sig", command.Sig);
            if (insert.ExecuteNonQuery() == 0)
            {
                return false;
            }

            AddHistory(connection, transaction, command.Id, command.State, command.CreatedAt, command.Reason);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Moves a command from <paramref name="from"/> to <paramref name="to"/> at <paramref name="at"/>; false when it was
    /// no longer in <paramref name="from"/> (someone else moved it first). <paramref name="from"/> == <paramref name="to"/>
    /// records no history entry (used to count another attempt).
    /// </summary>
    public Task<bool> TryMoveAsync(
        string id, CommandState from, CommandState to, long at, string? reason, bool late, int addAttempts, long? deliveredAt, CancellationToken cancellationToken) =>
        writes.RunAsync((connection, transaction) =>
        {
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE commands
                SET state = $to,
                    reason = CASE WHEN $to = $from THEN reason ELSE $reason END,
                    late = max(late, $late),
                    attempts = attempts + $attempts,
                    delivered_at = coalesce(delivered_at, $delivered)
                WHERE id = $id AND state = $from;
                """;
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$from", from.ToWireName());
            update.Parameters.AddWithValue("$to", to.ToWireName());
            update.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            update.Parameters.AddWithValue("$late", late ? 1 : 0);
            update.Parameters.AddWithValue("$attempts", addAttempts);
            update.Parameters.AddWithValue("$delivered", (object?)deliveredAt ?? DBNull.Value);
            if (update.ExecuteNonQuery() == 0)
            {
                return false;
            }

            if (from != to)
            {
                AddHistory(connection, transaction, id, to, at, reason);
            }

            return true;
        }, cancellationToken);

    /// <summary>
    /// Counts one publish of the command, whatever its state now (the device's ack may have been applied before this),
    /// and moves it from QUEUED to SENT with a history entry. Returns the state it was in, or null for an unknown id.
    /// </summary>
    public Task<CommandState?> RecordSendAsync(string id, long at, CancellationToken cancellationToken) =>
        writes.RunAsync<CommandState?>((connection, transaction) =>
        {
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = """
                SELECT state FROM commands WHERE id = $id;
                UPDATE commands SET attempts = attempts + 1, state = CASE state WHEN 'QUEUED' THEN 'SENT' ELSE state END WHERE id = $id;
                """;
            update.Parameters.AddWithValue("$id", id);
            if (update.ExecuteScalar() is not string was)
            {
                return null;
            }

            var before = StateOf(was);
            if (before == CommandState.Queued)
            {
                AddHistory(connection, transaction, id, CommandState.Sent, at, null);
            }

            return before;
        }, cancellationToken);

    public async Task<CommandRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return Read(connection, "WHERE id = $id", [("$id", id)]).FirstOrDefault();
        }
    }

    /// <summary>Only the command's state (one row, no history); null for an unknown id.</summary>
    public async Task<CommandState?> GetStateAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            select.CommandText = "SELECT state FROM commands WHERE id = $id";
            select.Parameters.AddWithValue("$id", id);
            return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string state ? StateOf(state) : null;
        }
    }

    public async Task<CommandRecord?> GetByKeyAsync(string deviceId, string idempotencyKey, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return Read(connection, "WHERE device_id = $device AND idempotency_key = $key", [("$device", deviceId), ("$key", idempotencyKey)]).FirstOrDefault();
        }
    }

    /// <summary>A device's commands created in [<paramref name="fromMs"/>, <paramref name="toMs"/>], oldest first, optionally in one state.</summary>
    public async Task<IReadOnlyList<CommandRecord>> ListAsync(string deviceId, long fromMs, long toMs, CommandState? state, int limit, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var where = "WHERE device_id = $device AND created_at >= $from AND created_at <= $to"
                + (state is null ? "" : " AND state = $state")
                + " ORDER BY created_at, id LIMIT $limit";
            return Read(connection, where, [("$device", deviceId), ("$from", fromMs), ("$to", toMs), ("$state", state?.ToWireName()), ("$limit", limit)]);
        }
    }

    /// <summary>Every command still QUEUED, SENT or DELIVERED (to resume after a start).</summary>
    public async Task<IReadOnlyList<CommandRecord>> OpenCommandsAsync(CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return Read(connection, "WHERE state IN ('QUEUED', 'SENT', 'DELIVERED') ORDER BY created_at", []);
        }
    }

    /// <summary>How many commands the device got since <paramref name="sinceMs"/>.</summary>
    public async Task<int> CountCreatedSinceAsync(string deviceId, long sinceMs, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM commands WHERE device_id = $device AND created_at > $since";
            count.Parameters.AddWithValue("$device", deviceId);
            count.Parameters.AddWithValue("$since", sinceMs);
            return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
    }

    private static void AddHistory(SqliteConnection connection, SqliteTransaction transaction, string id, CommandState state, long at, string? reason)
    {
        using var history = connection.CreateCommand();
        history.Transaction = transaction;
        history.CommandText = "INSERT INTO command_history (command_id, at, state, reason) VALUES ($id, $at, $state, $reason)";
        history.Parameters.AddWithValue("$id", id);
        history.Parameters.AddWithValue("$at", at);
        history.Parameters.AddWithValue("$state", state.ToWireName());
        history.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
        history.ExecuteNonQuery();
    }

    private static List<CommandRecord> Read(SqliteConnection connection, string where, (string Name, object? Value)[] parameters)
    {
        var found = new List<CommandRecord>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = $"SELECT {Columns} FROM commands {where}";
            foreach (var (name, value) in parameters)
            {
                select.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                found.Add(new CommandRecord
                {
                    Id = reader.GetString(0),
                    DeviceId = reader.GetString(1),
                    IdempotencyKey = reader.GetString(2),
                    Request = reader.GetString(3),
                    Action = WireNames.TryParseCommandAction(reader.GetString(4), out var action)
                        ? action
                        : throw new InvalidDataException($"Command {reader.GetString(0)} has an unknown action '{reader.GetString(4)}'."),
                    Slot = reader.IsDBNull(5) ? null : reader.GetInt32(5),
                    State = StateOf(reader.GetString(6)),
                    Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
                    Late = reader.GetInt64(8) != 0,
                    RequestedBy = reader.GetString(9),
                    QueueIfOffline = reader.GetInt64(10) != 0,
                    CreatedAt = reader.GetInt64(11),
                    ExpiresAt = reader.GetInt64(12),
                    DeliveredAt = reader.IsDBNull(13) ? null : reader.GetInt64(13),
                    Attempts = reader.GetInt32(14),
                    Kid = reader.GetString(15),
                    Sig = reader.GetString(16),
                });
            }
        }

        for (var i = 0; i < found.Count; i++)
        {
            found[i] = found[i] with { History = HistoryOf(connection, found[i].Id) };
        }

        return found;
    }

    private static List<CommandTransition> HistoryOf(SqliteConnection connection, string id)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT state, at, reason FROM command_history WHERE command_id = $id ORDER BY rowid";
        select.Parameters.AddWithValue("$id", id);
        using var reader = select.ExecuteReader();
        var history = new List<CommandTransition>();
        while (reader.Read())
        {
            history.Add(new CommandTransition(StateOf(reader.GetString(0)), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return history;
    }

    private static CommandState StateOf(string name) =>
        CommandStates.TryParse(name, out var state) ? state : throw new InvalidDataException($"Unknown command state '{name}' in the ledger.");
}

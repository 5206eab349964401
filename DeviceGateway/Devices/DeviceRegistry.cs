using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>
/// The registry of lock controllers in <c>state.db</c>: registration, secret rotation, decommissioning
/// and credential checks. A decommissioned device keeps its row (its history refers to it) and its id
/// can never be registered again.
/// </summary>
public sealed class DeviceRegistry(StateStore store, SecretHasher hasher, TimeProvider time) : IDeviceAuthenticator
{
    private const string Columns = "id, kind, slots, created_at, secret_rotated_at, decommissioned_at";
    private const int SqliteConstraint = 19;

    public async Task<(RegistryOutcome Outcome, SecretIssued? Issued)> RegisterAsync(
        string id, DeviceKind kind, int slots, CancellationToken cancellationToken)
    {
        var secret = DataDirectory.NewRandomToken();
        var now = time.GetUtcNow();
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO devices (id, kind, slots, secret_hash, created_at)
                VALUES ($id, $kind, $slots, $hash, $now)
                """;
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$kind", kind.ToWireName());
            insert.Parameters.AddWithValue("$slots", slots);
            insert.Parameters.AddWithValue("$hash", hasher.Hash(secret));
            insert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
            {
                return (RegistryOutcome.AlreadyExists, null);
            }
        }

        var device = new Device(id, kind, slots, FromMs(now.ToUnixTimeMilliseconds()), null, null);
        return (RegistryOutcome.Done, new SecretIssued(device, secret));
    }

    public async Task<Device?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {Columns} FROM devices WHERE id = $id";
            select.Parameters.AddWithValue("$id", id);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDevice(reader) : null;
        }
    }

    /// <summary>Devices in id order after <paramref name="after"/>, optionally of one kind.</summary>
    public async Task<DevicePage> ListAsync(
        DeviceKind? kind, string? after, int limit, bool includeDecommissioned, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"""
                SELECT {Columns} FROM devices
                WHERE ($kind IS NULL OR kind = $kind)
                  AND ($after IS NULL OR id > $after)
                  AND ($all = 1 OR decommissioned_at IS NULL)
                ORDER BY id
                LIMIT $take
                """;
            select.Parameters.AddWithValue("$kind", kind is { } k ? k.ToWireName() : DBNull.Value);
            select.Parameters.AddWithValue("$after", after is null ? DBNull.Value : after);
            select.Parameters.AddWithValue("$all", includeDecommissioned ? 1 : 0);
            select.Parameters.AddWithValue("$take", limit + 1);
            var items = new List<Device>(Math.Min(limit + 1, 1024));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(ReadDevice(reader));
            }

            if (items.Count <= limit)
            {
                return new DevicePage(items, null);
            }

            items.RemoveAt(limit);
            return new DevicePage(items, items[^1].Id);
        }
    }

    /// <summary>Issues a new secret; the old one stops working at once.</summary>
    public async Task<(RegistryOutcome Outcome, SecretIssued? Issued)> RotateSecretAsync(
        string id, CancellationToken cancellationToken)
    {
        var secret = DataDirectory.NewRandomToken();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var update = connection.CreateCommand();
            update.CommandText = $"""
                UPDATE devices SET secret_hash = $hash, secret_rotated_at = $now
                WHERE id = $id AND decommissioned_at IS NULL
                RETURNING {Columns}
                """;
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$hash", hasher.Hash(secret));
            update.Parameters.AddWithValue("$now", now);
            Device? device = null;
            await using (var reader = await update.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    device = ReadDevice(reader);
                }
            }

            if (device is null)
            {
                return (await ExistsAsync(connection, id, cancellationToken).ConfigureAwait(false)
                    ? RegistryOutcome.Decommissioned
                    : RegistryOutcome.NotFound, null);
            }

            return (RegistryOutcome.Done, new SecretIssued(device, secret));
        }
    }

    /// <summary>Decommissions a device: its credentials are refused from now on; its row and history stay.</summary>
    public async Task<(RegistryOutcome Outcome, Device? Device)> DecommissionAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var update = connection.CreateCommand();
            update.CommandText = $"""
                UPDATE devices SET decommissioned_at = $now
                WHERE id = $id AND decommissioned_at IS NULL
                RETURNING {Columns}
                """;
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$now", now);
            Device? device = null;
            await using (var reader = await update.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    device = ReadDevice(reader);
                }
            }

            if (device is not null)
            {
                return (RegistryOutcome.Done, device);
            }

            var existing = await GetAsync(id, cancellationToken).ConfigureAwait(false);
            return existing is null ? (RegistryOutcome.NotFound, null) : (RegistryOutcome.Decommissioned, existing);
        }
    }

    /// <summary>Checks a device's id and secret in constant time with respect to the secret.</summary>
    public async Task<DeviceAuthResult> VerifySecretAsync(string deviceId, string secret, CancellationToken cancellationToken)
    {
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            select.CommandText = "SELECT secret_hash, decommissioned_at FROM devices WHERE id = $id";
            select.Parameters.AddWithValue("$id", deviceId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return DeviceAuthResult.UnknownDevice;
            }

            if (!reader.IsDBNull(1))
            {
                return DeviceAuthResult.Decommissioned;
            }

            var hash = (byte[])reader.GetValue(0);
            return hasher.Verify(secret, hash) ? DeviceAuthResult.Accepted : DeviceAuthResult.BadSecret;
        }
    }

    private static async Task<bool> ExistsAsync(SqliteConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT 1 FROM devices WHERE id = $id";
        select.Parameters.AddWithValue("$id", id);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private static Device ReadDevice(SqliteDataReader reader)
    {
        if (!DeviceKinds.TryParse(reader.GetString(1), out var kind))
        {
            throw new InvalidDataException($"state.db holds an unknown kind '{reader.GetString(1)}' for device '{reader.GetString(0)}'.");
        }

        return new Device(
            reader.GetString(0),
            kind,
            reader.GetInt32(2),
            FromMs(reader.GetInt64(3)),
            reader.IsDBNull(4) ? null : FromMs(reader.GetInt64(4)),
            reader.IsDBNull(5) ? null : FromMs(reader.GetInt64(5)));
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}

using System.Text;
using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// Runs a <see cref="FleetFilter"/> as one SQL query over <c>devices ⋈ device_state ⋈ device_latest</c> in
/// <c>state.db</c>, every condition a parameter. Two checks are finished here, on rows SQL has already narrowed:
/// <list type="bullet">
/// <item><c>near</c>: SQL keeps the circle's bounding box; the exact great-circle distance decides.</item>
/// <item>Presence: SQL filters on the stored presence; online and last seen are then taken as the device views
/// take them (online from the broker's live connections, last seen the newer of live and stored, which is saved
/// every 2 s) and the presence conditions are checked again, so a row never contradicts the filter it matched.</item>
/// </list>
/// Without <c>near</c> rows come in id order and reading stops after limit + 1 matches; with it every candidate is
/// read and sorted here, nearest first. The latest state is saved first, so the answer covers every acknowledged reading.
/// </summary>
public sealed class FleetQuery(StateStore store, LatestStateStore latest, PresenceTracker presence, TimeProvider time)
{
    private const string Select = """
        SELECT d.id, d.kind, d.slots, s.last_seen,
               l.lock, l.battery, l.lat, l.lon, l.position_ts, l.reading_ts,
               (SELECT count(*) FROM device_slots x WHERE x.device_id = d.id AND x.state = 'empty'),
               (SELECT count(*) FROM device_slots x WHERE x.device_id = d.id AND x.state = 'occupied'),
               (SELECT count(*) FROM device_slots x WHERE x.device_id = d.id AND x.state = 'released'),
               (SELECT count(*) FROM device_slots x WHERE x.device_id = d.id AND x.state = 'fault')
        FROM devices d
        LEFT JOIN device_state s ON s.device_id = d.id
        LEFT JOIN device_latest l ON l.device_id = d.id
        WHERE d.decommissioned_at IS NULL
        """;

    public async Task<FleetResponse> RunAsync(FleetFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var seenBeforeMs = filter.OfflineForSeconds is { } seconds ? SeenBefore(time.GetUtcNow().ToUnixTimeMilliseconds(), seconds) : (long?)null;
        await latest.SaveAsync(cancellationToken).ConfigureAwait(false);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            Build(command, filter, seenBeforeMs);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var matches = new List<(FleetDevice Device, double Distance)>();
            var truncated = false;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Read(reader, filter, seenBeforeMs) is not { } match)
                {
                    continue;
                }

                if (filter.Near is null && matches.Count == filter.Limit)
                {
                    truncated = true;
                    break;
                }

                matches.Add(match);
            }

            if (filter.Near is not null)
            {
                // Every candidate in the box was read: nearest first, ties in id order.
                truncated = matches.Count > filter.Limit;
                matches = [.. matches.OrderBy(m => m.Distance).ThenBy(m => m.Device.Id, StringComparer.Ordinal).Take(filter.Limit)];
            }

            return new FleetResponse(matches.Count, truncated, [.. matches.Select(m => m.Device)]);
        }
    }

    /// <summary>Last seen at or before this (epoch ms) is "at least <paramref name="seconds"/> ago"; saturates far in the past.</summary>
    private static long SeenBefore(long nowMs, long seconds) => seconds > nowMs / 1000 ? -1 : nowMs - (seconds * 1000);

    private static void Build(SqliteCommand command, FleetFilter filter, long? seenBeforeMs)
    {
        var sql = new StringBuilder(Select);
        void Where(string condition) => sql.Append("\n  AND ").Append(condition);
        void Parameter(string name, object value) => command.Parameters.AddWithValue(name, value);

        if (filter.Kind is { } kind)
        {
            Where("d.kind = $kind");
            Parameter("$kind", kind.ToWireName());
        }

        if (filter.BatteryBelow is { } below)
        {
            Where("l.battery < $batteryBelow");
            Parameter("$batteryBelow", below);
        }

        if (filter.Lock is { } lockState)
        {
            Where("l.lock = $lock");
            Parameter("$lock", lockState.ToWireName());
        }

        if (filter.Online is { } online)
        {
            Where("coalesce(s.online, 0) = $online");
            Parameter("$online", online ? 1 : 0);
        }

        if (seenBeforeMs is { } seenBefore)
        {
            Where("coalesce(s.online, 0) = 0 AND (s.last_seen IS NULL OR s.last_seen <= $seenBefore)");
            Parameter("$seenBefore", seenBefore);
        }

        if (filter.Bbox is { } box)
        {
            InBox(box, "bbox");
        }

        if (filter.Near is { } near)
        {
            InBox(near.BoundingBox(), "near");
        }

        if (filter.Near is null)
        {
            sql.Append("\nORDER BY d.id");
        }

        command.CommandText = sql.ToString();

        void InBox(GeoBox box, string prefix)
        {
            Where($"l.lat BETWEEN ${prefix}MinLat AND ${prefix}MaxLat");
            Parameter($"${prefix}MinLat", box.MinLat);
            Parameter($"${prefix}MaxLat", box.MaxLat);
            if (box.AllLongitudes)
            {
                return;
            }

            Where(box.CrossesAntimeridian
                ? $"(l.lon >= ${prefix}MinLon OR l.lon <= ${prefix}MaxLon)"
                : $"l.lon BETWEEN ${prefix}MinLon AND ${prefix}MaxLon");
            Parameter($"${prefix}MinLon", box.MinLon);
            Parameter($"${prefix}MaxLon", box.MaxLon);
        }
    }

    /// <summary>The row as a device with its exact distance (0 without near), or null when the live presence or the distance rules it out.</summary>
    private (FleetDevice Device, double Distance)? Read(SqliteDataReader reader, FleetFilter filter, long? seenBeforeMs)
    {
        var id = reader.GetString(0);
        var online = presence.IsOnline(id);
        var lastSeen = Newer(presence.LastSeen(id), reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
        if ((filter.Online is { } wanted && online != wanted)
            || (seenBeforeMs is { } seenBefore && (online || lastSeen?.ToUnixTimeMilliseconds() > seenBefore)))
        {
            return null;
        }

        FleetPosition? position = null;
        if (!reader.IsDBNull(6) && !reader.IsDBNull(7) && !reader.IsDBNull(8))
        {
            var ts = reader.GetInt64(8);
            position = new FleetPosition(reader.GetDouble(6), reader.GetDouble(7), ts, DateTimeOffset.FromUnixTimeMilliseconds(ts));
        }

        var distance = 0.0;
        if (filter.Near is { } near)
        {
            distance = position is null ? double.PositiveInfinity : near.DistanceTo(position.Lat, position.Lon);
            if (distance > near.Meters)
            {
                return null;
            }
        }

        if (!DeviceKinds.TryParse(reader.GetString(1), out var kind))
        {
            throw new InvalidDataException($"state.db holds an unknown kind '{reader.GetString(1)}' for device '{id}'.");
        }

        var device = new FleetDevice(
            id,
            kind,
            online,
            lastSeen,
            WireNames.TryParseLockState(reader.IsDBNull(4) ? null : reader.GetString(4), out var lockState) ? lockState : null,
            reader.IsDBNull(5) ? null : reader.GetInt32(5),
            position,
            reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
            filter.Near is null ? null : Math.Round(distance, 1),
            kind.HasSlots() ? Slots(reader.GetInt32(2), reader) : null);
        return (device, distance);
    }

    private static SlotSummary Slots(int total, SqliteDataReader reader)
    {
        var (empty, occupied, released, fault) = (reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt32(13));
        return new SlotSummary(total, empty, occupied, released, fault, Math.Max(0, total - empty - occupied - released - fault));
    }

    private static DateTimeOffset? Newer(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;
}

using System.Collections.Concurrent;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// Answers "was this (device, seq, ts) stored before?" and reserves a key from the moment a message is
/// admitted until its commit settles, so that the same reading re-sent on a new session (takeover,
/// reconnect) while the first copy is still being written is stored once.
/// <para>
/// Per device it keeps the most recent <see cref="IngestOptions.DedupKeysPerDevice"/> stored keys in memory
/// and a bound, <c>CoveredFrom</c>: every stored key of the device with <c>ts ≥ CoveredFrom</c> is in
/// memory. A key older than that is looked up in the history store (one range query per publish), so
/// memory stays bounded and nothing relies on a constraint violation inside the store.
/// </para>
/// </summary>
public sealed class KeyIndex(IHistoryStore history, IngestOptions options)
{
    private readonly ConcurrentDictionary<string, DeviceKeys> _devices = new(StringComparer.Ordinal);
    private readonly int _capacity = options.DedupKeysPerDevice;

    // Until warm-up nothing is covered: every key is looked up in the history store.
    private long _coveredFrom = long.MaxValue;

    /// <summary>Keys held in memory, over all devices.</summary>
    public long KeysInMemory => _devices.Values.Sum(d => (long)d.Count);

    /// <summary>Loads the stored keys with <c>ts ≥ <paramref name="sinceTs"/></c>; from then on those need no lookup.</summary>
    public async Task WarmAsync(long sinceTs, CancellationToken cancellationToken)
    {
        await foreach (var (deviceId, key) in history.ReadKeysSinceAsync(sinceTs, cancellationToken).ConfigureAwait(false))
        {
            var device = _devices.GetOrAdd(deviceId, _ => new DeviceKeys(sinceTs));
            lock (device)
            {
                device.AddSeen(key, _capacity);
            }
        }

        Interlocked.Exchange(ref _coveredFrom, sinceTs);
    }

    /// <summary>
    /// Marks keys as stored (at start, those of the batches in the spool, which the history does not hold yet).
    /// Call after <see cref="WarmAsync"/>.
    /// </summary>
    public void MarkStored(string deviceId, IEnumerable<ItemKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var device = _devices.GetOrAdd(deviceId, _ => new DeviceKeys(Interlocked.Read(ref _coveredFrom)));
        lock (device)
        {
            foreach (var key in keys)
            {
                device.AddSeen(key, _capacity);
            }
        }
    }

    /// <summary>
    /// Marks the message's items that were stored before (or repeat within the message) as duplicates and
    /// reserves the keys of the rest. Waits for another session's reservation of the same key to settle;
    /// if that one was not stored, the message is withheld so the device retries.
    /// </summary>
    internal async ValueTask ReserveAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        var device = _devices.GetOrAdd(message.DeviceId, _ => new DeviceKeys(Interlocked.Read(ref _coveredFrom)));
        IReadOnlySet<ItemKey>? stored = null;
        List<(IngestItem Item, Task<bool> Settled)> waits;
        while (true)
        {
            (long From, long To)? lookup;
            lock (device)
            {
                lookup = stored is null ? NeedsLookup(device, message) : null;
                if (lookup is null)
                {
                    waits = Classify(device, message, stored);
                    break;
                }
            }

            // Keys older than what memory covers: one range query, then decide under the lock again.
            stored = await history.FindKeysAsync(message.DeviceId, lookup.Value.From, lookup.Value.To, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (item, settled) in waits)
        {
            if (await settled.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                item.MarkDuplicate();
            }
            else
            {
                message.Withhold();
            }
        }
    }

    internal void Settle(KeyReservation reservation, bool stored)
    {
        if (!_devices.TryGetValue(reservation.DeviceId, out var device))
        {
            return;
        }

        lock (device)
        {
            foreach (var key in reservation.Keys)
            {
                if (device.Pending.TryGetValue(key, out var holder) && ReferenceEquals(holder, reservation))
                {
                    device.Pending.Remove(key);
                    if (stored)
                    {
                        device.AddSeen(key, _capacity);
                    }
                }
            }
        }
    }

    private static (long From, long To)? NeedsLookup(DeviceKeys device, IngestMessage message)
    {
        (long From, long To)? range = null;
        foreach (var item in message.Items)
        {
            if (item.IsToStore && item.Key.Ts < device.CoveredFrom && !device.Seen.Contains(item.Key) && !device.Pending.ContainsKey(item.Key))
            {
                range = range is { } r ? (Math.Min(r.From, item.Key.Ts), Math.Max(r.To, item.Key.Ts)) : (item.Key.Ts, item.Key.Ts);
            }
        }

        return range;
    }

    // Under the device's lock: decides every item to store, reserves the new keys for this message.
    private List<(IngestItem, Task<bool>)> Classify(DeviceKeys device, IngestMessage message, IReadOnlySet<ItemKey>? stored)
    {
        var waits = new List<(IngestItem, Task<bool>)>();
        var mine = new List<ItemKey>();
        var inMessage = new HashSet<ItemKey>();
        foreach (var item in message.Items)
        {
            if (!item.IsToStore)
            {
                continue;
            }

            var key = item.Key;
            if (!inMessage.Add(key) || device.Seen.Contains(key))
            {
                item.MarkDuplicate();
            }
            else if (stored is not null && stored.Contains(key))
            {
                item.MarkDuplicate();
                device.AddSeen(key, _capacity);
            }
            else if (device.Pending.TryGetValue(key, out var other))
            {
                waits.Add((item, other.Settled));
            }
            else
            {
                mine.Add(key);
            }
        }

        if (mine.Count > 0)
        {
            var reservation = new KeyReservation(this, message.DeviceId, mine);
            foreach (var key in mine)
            {
                device.Pending.Add(key, reservation);
            }

            message.Reservation = reservation;
        }

        return waits;
    }

    private sealed class DeviceKeys(long coveredFrom)
    {
        private readonly Queue<ItemKey> _order = new();

        public HashSet<ItemKey> Seen { get; } = [];

        public Dictionary<ItemKey, KeyReservation> Pending { get; } = [];

        /// <summary>Every stored key of the device with ts at or above this is in <see cref="Seen"/>.</summary>
        public long CoveredFrom { get; private set; } = coveredFrom;

        public int Count => Seen.Count;

        public void AddSeen(ItemKey key, int capacity)
        {
            if (!Seen.Add(key))
            {
                return;
            }

            _order.Enqueue(key);
            while (Seen.Count > capacity)
            {
                var evicted = _order.Dequeue();
                Seen.Remove(evicted);
                CoveredFrom = Math.Max(CoveredFrom, evicted.Ts + 1);
            }
        }
    }
}

using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>One simulated lock's actuation, from its own log: which command drove it, when, and the command's expiry.</summary>
internal sealed record Actuation(string CommandId, CommandAction Action, int? Slot, DateTimeOffset At, DateTimeOffset ExpiresAt)
{
    /// <summary>After its command's expiry.</summary>
    public bool Stale => At > ExpiresAt;
}

/// <summary>
/// What one device did over the whole run, across reboots: the seqs it published and got acked, its locks'
/// actuation log, the acks a fault dropped, the link faults injected. Thread-safe.
/// </summary>
internal sealed class DeviceLedger
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _sent = [], _acked = [];
    private readonly List<Actuation> _actuations = [];
    private readonly HashSet<(string Id, AckStage Stage)> _droppedAcks = [];
    private readonly Dictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private int _disconnects, _reboots, _connections;

    public void Sent(long seq)
    {
        lock (_gate)
            _sent.Add(seq);
    }

    public void Acked(long seq)
    {
        lock (_gate)
            _acked.Add(seq);
    }

    public void Actuated(Actuation actuation)
    {
        lock (_gate)
            _actuations.Add(actuation);
    }

    public void AckDropped(string id, AckStage stage)
    {
        lock (_gate)
            _droppedAcks.Add((id, stage));
    }

    public void CommandSeen(string id, DateTimeOffset expiresAt)
    {
        lock (_gate)
            _expiries.TryAdd(id, expiresAt);
    }

    public DateTimeOffset? ExpiryOf(string id)
    {
        lock (_gate)
            return _expiries.TryGetValue(id, out DateTimeOffset at) ? at : null;
    }

    public void Connected() => Interlocked.Increment(ref _connections);

    /// <summary>Successful MQTT connections, over every boot.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Disconnected() => Interlocked.Increment(ref _disconnects);

    public void Rebooted() => Interlocked.Increment(ref _reboots);

    public int Disconnects => Volatile.Read(ref _disconnects);

    public int Reboots => Volatile.Read(ref _reboots);

    public long[] SentSeqs()
    {
        lock (_gate)
            return [.. _sent.Order()];
    }

    public long[] AckedSeqs()
    {
        lock (_gate)
            return [.. _acked.Order()];
    }

    public Actuation[] Actuations()
    {
        lock (_gate)
            return [.. _actuations];
    }

    public bool WasDropped(string id, AckStage stage)
    {
        lock (_gate)
            return _droppedAcks.Contains((id, stage));
    }

    /// <summary>Consecutive runs of <paramref name="seqs"/> (sorted) as [from, to] pairs.</summary>
    public static List<long[]> Ranges(IReadOnlyList<long> seqs)
    {
        var ranges = new List<long[]>();
        for (int i = 0; i < seqs.Count;)
        {
            int j = i;
            while (j + 1 < seqs.Count && seqs[j + 1] == seqs[j] + 1)
                j++;
            ranges.Add([seqs[i], seqs[j]]);
            i = j + 1;
        }
        return ranges;
    }
}

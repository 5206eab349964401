namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Counts what came from the receiver: sentences used, lines rejected by reason, epochs and fixes. Thread-safe.</summary>
public sealed class NmeaStatistics
{
    private readonly long[] _rejected = new long[Enum.GetValues<NmeaError>().Length];
    private long _accepted;
    private long _epochs;
    private long _fixes;

    /// <summary>Sentences parsed and used.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Epochs completed, with or without a fix.</summary>
    public long Epochs => Interlocked.Read(ref _epochs);

    /// <summary>Epochs that gave a fix.</summary>
    public long Fixes => Interlocked.Read(ref _fixes);

    /// <summary>Lines not used, all reasons together (well-formed unsupported sentences included).</summary>
    public long Rejected
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _rejected.Length; i++)
                sum += Interlocked.Read(ref _rejected[i]);
            return sum;
        }
    }

    /// <summary>Lines not used for one reason.</summary>
    public long RejectedFor(NmeaError reason) =>
        (uint)reason < (uint)_rejected.Length ? Interlocked.Read(ref _rejected[(int)reason]) : 0;

    /// <summary>The non-zero rejection counts.</summary>
    public IReadOnlyDictionary<NmeaError, long> RejectedByReason()
    {
        var result = new Dictionary<NmeaError, long>();
        foreach (NmeaError reason in Enum.GetValues<NmeaError>())
        {
            long n = RejectedFor(reason);
            if (n > 0)
                result[reason] = n;
        }
        return result;
    }

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    internal void CountRejected(NmeaError reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    internal void CountEpoch(bool fix)
    {
        Interlocked.Increment(ref _epochs);
        if (fix)
            Interlocked.Increment(ref _fixes);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// Counters of the ingest, served at <c>GET /api/ingest/stats</c> and on the <c>IoTPlatform.Telemetry</c>
/// meter: what was stored, how many commits it took, duplicates, rejects by reason and device, positions
/// the GPS check did not trust, and publishes withheld.
/// </summary>
public sealed class IngestStats : IDisposable
{
    public const string MeterName = "IoTPlatform.Telemetry";

    private readonly Meter _meter;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _commits;
    private readonly Histogram<double> _commitSeconds;
    private readonly ConcurrentDictionary<string, long> _rejectedByReason = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Device, string Reason), long> _rejectedByDevice = new();
    private readonly ConcurrentDictionary<string, long> _positionsRejected = new(StringComparer.Ordinal);
    private long _readings;
    private long _events;
    private long _duplicateCount;
    private long _commitCount;
    private long _commitFailures;
    private long _withheld;
    private long _lastCommitItems;
    private double _lastCommitMilliseconds;
    private int _lastCommitFailed;
    private long _batchesSpooled;
    private long _replayedBatches;
    private long _spoolTornRecords;

    public IngestStats(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _stored = _meter.CreateCounter<long>("ingest.stored", description: "Readings and events stored, by kind.");
        _rejected = _meter.CreateCounter<long>("ingest.rejected", description: "Payloads and items refused, by reason.");
        _duplicates = _meter.CreateCounter<long>("ingest.duplicates", description: "Readings and events received again and stored once.");
        _commits = _meter.CreateCounter<long>("ingest.commits", description: "Group commits to the history store.");
        _commitSeconds = _meter.CreateHistogram<double>("ingest.commit.duration", unit: "s", description: "Time of one group commit (history and latest state).");
    }

    public long Readings => Interlocked.Read(ref _readings);

    public long Events => Interlocked.Read(ref _events);

    public long Duplicates => Interlocked.Read(ref _duplicateCount);

    public long Commits => Interlocked.Read(ref _commitCount);

    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    public long Withheld => Interlocked.Read(ref _withheld);

    public long LastCommitItems => Interlocked.Read(ref _lastCommitItems);

    public double LastCommitMilliseconds => Volatile.Read(ref _lastCommitMilliseconds);

    /// <summary>The most recent group commit failed (none has succeeded since).</summary>
    public bool LastCommitFailed => Volatile.Read(ref _lastCommitFailed) != 0;

    /// <summary>Batches appended to the spool because the history store could not take them.</summary>
    public long BatchesSpooled => Interlocked.Read(ref _batchesSpooled);

    /// <summary>Batches replayed from the spool into the history store (written, or found already there).</summary>
    public long ReplayedBatches => Interlocked.Read(ref _replayedBatches);

    /// <summary>Torn spool records found (and cut off).</summary>
    public long SpoolTornRecords => Interlocked.Read(ref _spoolTornRecords);

    public void BatchSpooled() => Interlocked.Increment(ref _batchesSpooled);

    public void BatchReplayed() => Interlocked.Increment(ref _replayedBatches);

    public void SpoolTornRecord() => Interlocked.Increment(ref _spoolTornRecords);

    public void Rejected(string reason, string deviceId)
    {
        _rejectedByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
        _rejectedByDevice.AddOrUpdate((deviceId, reason), 1, (_, n) => n + 1);
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void PositionRejected(string reason) => _positionsRejected.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public void Duplicate(int count)
    {
        Interlocked.Add(ref _duplicateCount, count);
        _duplicates.Add(count);
    }

    public void WithheldOne() => Interlocked.Increment(ref _withheld);

    public void Committed(int readings, int events, TimeSpan elapsed)
    {
        Interlocked.Add(ref _readings, readings);
        Interlocked.Add(ref _events, events);
        Interlocked.Increment(ref _commitCount);
        Volatile.Write(ref _lastCommitFailed, 0);
        Interlocked.Exchange(ref _lastCommitItems, readings + events);
        Volatile.Write(ref _lastCommitMilliseconds, elapsed.TotalMilliseconds);
        _stored.Add(readings, new KeyValuePair<string, object?>("kind", "reading"));
        _stored.Add(events, new KeyValuePair<string, object?>("kind", "event"));
        _commits.Add(1);
        _commitSeconds.Record(elapsed.TotalSeconds);
    }

    public void CommitFailed()
    {
        Interlocked.Increment(ref _commitFailures);
        Volatile.Write(ref _lastCommitFailed, 1);
    }

    public IReadOnlyDictionary<string, long> RejectedByReason() => Sorted(_rejectedByReason);

    public IReadOnlyDictionary<string, long> PositionsRejectedByReason() => Sorted(_positionsRejected);

    /// <summary>The devices with the most rejects, most first, with their reasons.</summary>
    public IReadOnlyList<(string DeviceId, IReadOnlyDictionary<string, long> Reasons)> TopRejectedDevices(int count) =>
        [.. _rejectedByDevice.GroupBy(p => p.Key.Device)
            .OrderByDescending(g => g.Sum(p => p.Value))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, long>)g.ToDictionary(p => p.Key.Reason, p => p.Value, StringComparer.Ordinal)))];

    public void Dispose() => _meter.Dispose();

    private static Dictionary<string, long> Sorted(ConcurrentDictionary<string, long> counts) =>
        counts.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}

using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Latest;

namespace IoTPlatform.Telemetry.History;

/// <summary>What the crews' queries read from the history store.</summary>
public interface IHistoryQueries
{
    /// <summary>The device's readings with <paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/>, ordered by ts then seq, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredReading>> ReadingsAsync(string deviceId, long fromTs, long toTs, int limit, CancellationToken cancellationToken);

    /// <summary>The device's events with <paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/> (of one type when given), ordered by ts then seq.</summary>
    Task<IReadOnlyList<StoredEvent>> EventsAsync(string deviceId, long fromTs, long toTs, EventType? type, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// When the device last reported lock state <paramref name="state"/> (in a reading's <c>lock</c> or a
    /// <c>lock_changed</c> event) with <paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/>; null when it did not.
    /// </summary>
    Task<Stamp?> NewestLockReportAsync(string deviceId, LockState state, long fromTs, long toTs, CancellationToken cancellationToken);

    /// <summary>When the device first reported lock state <paramref name="state"/> with <paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/>; null when it did not.</summary>
    Task<Stamp?> OldestLockReportAsync(string deviceId, LockState state, long fromTs, long toTs, CancellationToken cancellationToken);
}

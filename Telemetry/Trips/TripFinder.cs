using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Trips;

/// <summary>
/// Finds a device's rides that overlap a window of device time, each reported whole. A ride under way at
/// <c>from</c> is followed back to where it began: the points are read from the device's newest report
/// of <c>locked</c> before <c>from</c>. A ride under way at <c>to</c> is followed forward to its first
/// report of <c>locked</c>. Both searches reach <see cref="LookAround"/> beyond the window at most; a ride
/// longer than that is cut there (it then starts at the first <c>unlocked</c> report within reach).
/// </summary>
public static class TripFinder
{
    /// <summary>How far before <c>from</c> and after <c>to</c> a ride is followed.</summary>
    public static readonly TimeSpan LookAround = TimeSpan.FromDays(7);

    /// <summary>Most readings and lock events read for one search; beyond them the result is truncated.</summary>
    public const int MaxPoints = 50_000;

    /// <summary>The rides that overlap <paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/>, oldest first.</summary>
    public static async Task<TripSearch> FindAsync(IHistoryQueries history, string deviceId, long fromTs, long toTs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var reach = (long)LookAround.TotalMilliseconds;
        var lockedBefore = await history.NewestLockReportAsync(deviceId, LockState.Locked, fromTs - reach, fromTs, cancellationToken).ConfigureAwait(false);
        var (points, truncated) = await ReadAsync(history, deviceId, lockedBefore?.Ts ?? fromTs - reach, toTs, MaxPoints, cancellationToken).ConfigureAwait(false);
        var trips = TripBuilder.Build(points);
        if (!truncated && trips.Count > 0 && trips[^1].InProgress
            && await history.OldestLockReportAsync(deviceId, LockState.Locked, toTs, toTs + reach, cancellationToken).ConfigureAwait(false) is { } lockedAfter)
        {
            var (after, cut) = await ReadAsync(history, deviceId, toTs, lockedAfter.Ts + 1, MaxPoints - points.Count, cancellationToken).ConfigureAwait(false);
            trips = TripBuilder.Build([.. points, .. after]);
            truncated = cut;
        }

        return new TripSearch([.. trips.Where(t => t.Start.Ts < toTs && (t.End is null || t.End.Ts >= fromTs))], truncated);
    }

    /// <summary>
    /// The oldest <paramref name="limit"/> readings and lock events with <paramref name="fromTs"/> ≤ ts &lt; <paramref name="toTs"/>.
    /// Each source gives its oldest limit + 1, so the oldest <paramref name="limit"/> of both together are exact.
    /// </summary>
    private static async Task<(List<TripPoint> Points, bool Truncated)> ReadAsync(
        IHistoryQueries history, string deviceId, long fromTs, long toTs, int limit, CancellationToken cancellationToken)
    {
        var readings = await history.ReadingsAsync(deviceId, fromTs, toTs, limit + 1, cancellationToken).ConfigureAwait(false);
        var events = await history.EventsAsync(deviceId, fromTs, toTs, EventType.LockChanged, limit + 1, cancellationToken).ConfigureAwait(false);
        var points = readings.Select(TripPoint.From).Concat(events.Select(TripPoint.From))
            .OrderBy(p => p.Ts).ThenBy(p => p.Seq)
            .ToList();
        var truncated = points.Count > limit;
        if (truncated)
        {
            points.RemoveRange(limit, points.Count - limit);
        }

        return (points, truncated);
    }
}

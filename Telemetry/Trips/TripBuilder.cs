using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Geo;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Trips;

/// <summary>
/// Cuts a device's lock reports and trusted positions into rides. A ride starts at the first report of
/// <c>unlocked</c> after anything else and ends at the next report of <c>locked</c>; <c>jammed</c> and
/// <c>unknown</c> change nothing (a lock that jams open is still open). A report of <c>unlocked</c> with
/// nothing known before it starts a ride too: the ride began at the latest there.
/// </summary>
public static class TripBuilder
{
    /// <summary>The rides in <paramref name="points"/>, oldest first; they are taken in (ts, seq) order whatever order they come in.</summary>
    public static IReadOnlyList<Trip> Build(IEnumerable<TripPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var trips = new List<Trip>();
        LastFix? newestFix = null;
        TripPoint? start = null;
        var path = new List<LastFix>();
        long newestTs = 0;
        foreach (var point in points.OrderBy(p => p.Ts).ThenBy(p => p.Seq))
        {
            newestTs = point.Ts;
            if (point.Fix is { } fix)
            {
                newestFix = fix;
                if (start is not null)
                {
                    path.Add(fix);
                }
            }

            if (start is null && point.Lock == LockState.Unlocked)
            {
                start = point;
                path.Clear();
                if (newestFix is { } parked)
                {
                    path.Add(parked);
                }
            }
            else if (start is { } begun && point.Lock == LockState.Locked)
            {
                trips.Add(Close(begun, point, point.Ts, path));
                start = null;
            }
        }

        if (start is { } open)
        {
            trips.Add(Close(open, null, newestTs, path));
        }

        return trips;
    }

    private static Trip Close(TripPoint start, TripPoint? end, long untilTs, List<LastFix> path)
    {
        var distance = 0.0;
        for (var i = 1; i < path.Count; i++)
        {
            distance += GeoMath.DistanceMeters(path[i - 1].Lat, path[i - 1].Lon, path[i].Lat, path[i].Lon);
        }

        // Where it stood when unlocked; failing that, where it was first seen riding.
        var first = path.Count > 0 ? path[0] : (LastFix?)null;
        var last = path.Count > 0 ? path[^1] : (LastFix?)null;
        return new Trip(
            new TripMoment(start.Ts, first?.Lat, first?.Lon),
            end is { } e ? new TripMoment(e.Ts, last?.Lat, last?.Lon) : null,
            untilTs - start.Ts,
            distance,
            [.. path]);
    }
}

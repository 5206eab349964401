using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Trips;

/// <summary>
/// One report a trip is built from: a reading (its <c>lock</c>, and its position when the GPS check trusted
/// it) or a <c>lock_changed</c> event (its <c>lock</c>). Points are taken in (ts, seq) order.
/// </summary>
/// <param name="Ts">Device time, Unix epoch milliseconds.</param>
/// <param name="Seq">The device's counter; breaks ties of <paramref name="Ts"/>.</param>
/// <param name="Lock">The sensed lock state reported; null when the report says nothing of it.</param>
/// <param name="Fix">A trusted position; null when there is none.</param>
public readonly record struct TripPoint(long Ts, long Seq, LockState? Lock, Ingest.LastFix? Fix)
{
    /// <summary>A stored reading: its lock, and its position only when trusted.</summary>
    public static TripPoint From(StoredReading stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var r = stored.Reading;
        return new(r.Ts, r.Seq, r.Lock, stored.HasTrustedPosition ? new Ingest.LastFix(r.Ts, r.Lat!.Value, r.Lon!.Value) : null);
    }

    /// <summary>A stored event: the lock of a <c>lock_changed</c>; any other event moves no trip.</summary>
    public static TripPoint From(StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var e = stored.Event;
        return new(e.Ts, e.Seq, e.Type == EventType.LockChanged ? e.Lock : null, null);
    }
}

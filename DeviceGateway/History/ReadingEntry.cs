using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// A stored reading as the HTTP API shows it: its fields as the device sent them (<c>ts</c> in epoch ms),
/// the GPS check's verdict when it did not trust the position, and when it arrived.
/// </summary>
/// <param name="PositionRejected">Why the position is not trusted (<c>no-fix</c>, <c>null-island</c>, <c>implausible-speed</c>, <c>ts-in-future</c>); absent when trusted.</param>
public sealed record ReadingEntry(
    long Seq,
    long Ts,
    double? Lat,
    double? Lon,
    double? Alt,
    double? Speed,
    double? Course,
    double? Hdop,
    int? Sats,
    int? Fix,
    int? Battery,
    LockState? Lock,
    IReadOnlyList<SlotReading>? Slots,
    string? PositionRejected,
    DateTimeOffset? ReceivedAt)
{
    public static ReadingEntry From(Reading reading, string? positionRejected, long? receivedAtMs)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return new(
            reading.Seq, reading.Ts, reading.Lat, reading.Lon, reading.Alt, reading.Speed, reading.Course, reading.Hdop,
            reading.Sats, reading.Fix, reading.Battery, reading.Lock, reading.Slots, positionRejected,
            receivedAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }

    public static ReadingEntry From(StoredReading stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return From(stored.Reading, stored.PositionRejected, stored.ReceivedAtMs);
    }
}

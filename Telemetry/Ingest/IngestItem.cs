using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// One reading or one event of a device's publish, and what the ingest steps made of it. Exactly one of
/// <see cref="Reading"/> and <see cref="Event"/> is set.
/// </summary>
public sealed class IngestItem
{
    public IngestItem(Reading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        Reading = reading;
        Key = new ItemKey(reading.Seq, reading.Ts);
    }

    public IngestItem(DeviceEvent deviceEvent)
    {
        ArgumentNullException.ThrowIfNull(deviceEvent);
        Event = deviceEvent;
        Key = new ItemKey(deviceEvent.Seq, deviceEvent.Ts);
    }

    public Reading? Reading { get; }

    public DeviceEvent? Event { get; }

    public ItemKey Key { get; }

    /// <summary>Why the item is not stored (a <see cref="ValidationReasons"/> code); null while it is acceptable.</summary>
    public string? RejectedReason { get; private set; }

    /// <summary>Why a reading's position is not trusted (a <see cref="PositionReasons"/> code); the reading is still stored.</summary>
    public string? PositionRejected { get; set; }

    /// <summary>The same (device, seq, ts) was stored before, or earlier in the same publish.</summary>
    public bool IsDuplicate { get; private set; }

    /// <summary>Neither rejected nor a duplicate: this item goes to the history store.</summary>
    public bool IsToStore => RejectedReason is null && !IsDuplicate;

    /// <summary>A reading with a position that passed the GPS check.</summary>
    public bool HasTrustedPosition => Reading is { Lat: not null, Lon: not null } && PositionRejected is null;

    public void Reject(string reason) => RejectedReason ??= reason;

    public void MarkDuplicate() => IsDuplicate = true;
}

using System.Text.Json.Serialization;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// Body of <c>GET /api/devices/{id}/latest</c>. <see cref="Reading"/> is the newest reading by device time;
/// lock, battery and position are each the newest report of that fact, which may be newer than the reading
/// (an event) or older (a reading without it). They are null — and shown as null — until reported.
/// <see cref="Slots"/> is given for kiosks only.
/// </summary>
public sealed record LatestResponse(
    string DeviceId,
    DeviceKind Kind,
    bool Online,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastSeen,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ReadingEntry? Reading,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LatestLock? Lock,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LatestBattery? Battery,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LatestPosition? Position,
    IReadOnlyList<SlotEntry>? Slots);

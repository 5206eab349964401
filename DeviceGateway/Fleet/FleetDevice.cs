using System.Text.Json.Serialization;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// One device in a fleet answer: presence, the latest lock and battery, the newest trusted position, when its
/// newest reading was taken (device time). Unknown values are written as null so every row has the same
/// columns; <see cref="DistanceMeters"/> is present only with <c>near</c>, <see cref="Slots"/> only for kiosks.
/// </summary>
public sealed record FleetDevice(
    string Id,
    DeviceKind Kind,
    bool Online,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastSeen,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LockState? Lock,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Battery,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] FleetPosition? Position,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastReadingAt,
    double? DistanceMeters,
    SlotSummary? Slots);

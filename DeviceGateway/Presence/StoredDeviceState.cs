namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>
/// What <c>state.db</c> keeps of a device beside its record: when it was last seen, its own last status
/// message, and from its latest state the sensed lock (wire name) and battery percent.
/// </summary>
public sealed record StoredDeviceState(DateTimeOffset? LastSeen, string? StatusJson, DateTimeOffset? StatusAt, string? Lock = null, int? Battery = null);

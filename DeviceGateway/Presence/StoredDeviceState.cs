namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>What <c>device_state</c> keeps of a device: when it was last seen and its own last status message.</summary>
public sealed record StoredDeviceState(DateTimeOffset? LastSeen, string? StatusJson, DateTimeOffset? StatusAt);

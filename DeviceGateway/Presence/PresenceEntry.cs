namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>One presence transition as the HTTP API shows it.</summary>
public sealed record PresenceEntry(DateTimeOffset At, bool Online, string Reason, string? Endpoint);

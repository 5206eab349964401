namespace IoTPlatform.Broker.Presence;

/// <summary>A device went online or offline, when and why (see <see cref="PresenceReasons"/>).</summary>
public sealed record PresenceTransition(string DeviceId, DateTimeOffset At, bool Online, string Reason, string? Endpoint);

namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>A device's presence: online now, and its transitions in the asked window.</summary>
public sealed record PresenceResponse(string DeviceId, bool Online, IReadOnlyList<PresenceEntry> Items);

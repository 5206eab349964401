namespace IoTPlatform.DeviceGateway.History;

/// <summary>Body of <c>GET /api/devices/{id}/events</c>: the events with <see cref="From"/> ≤ ts &lt; <see cref="To"/>, ordered by ts then seq.</summary>
public sealed record EventsResponse(string DeviceId, DateTimeOffset From, DateTimeOffset To, int Count, bool Truncated, IReadOnlyList<EventEntry> Events);

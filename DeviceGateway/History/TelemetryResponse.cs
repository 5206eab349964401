namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// Body of <c>GET /api/devices/{id}/telemetry</c> (JSON): the readings with <see cref="From"/> ≤ ts &lt;
/// <see cref="To"/>, ordered by ts then seq. <see cref="Truncated"/>: there were more than the limit; the
/// next page starts with <c>from</c> = the last reading's <c>ts</c> (readings of that millisecond come again).
/// </summary>
public sealed record TelemetryResponse(string DeviceId, DateTimeOffset From, DateTimeOffset To, int Count, bool Truncated, IReadOnlyList<ReadingEntry> Readings);

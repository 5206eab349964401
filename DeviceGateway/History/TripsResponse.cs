namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// Body of <c>GET /api/devices/{id}/trips</c>: the rides that overlap <see cref="From"/> ≤ ts &lt; <see cref="To"/>,
/// oldest first, each whole (see <see cref="Telemetry.Trips.TripFinder"/>). <see cref="Truncated"/>: the search
/// stopped at its read limit, so later rides are missing; ask for a shorter window.
/// </summary>
public sealed record TripsResponse(string DeviceId, DateTimeOffset From, DateTimeOffset To, int Count, bool Truncated, IReadOnlyList<TripEntry> Trips);

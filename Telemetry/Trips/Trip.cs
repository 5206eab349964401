using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Trips;

/// <summary>
/// One ride: from the report that the lock went <c>unlocked</c> to the report that it went <c>locked</c>
/// again. <see cref="End"/> is null while the ride is still under way.
/// </summary>
/// <param name="DurationMs">End minus start; for a ride under way, the newest report minus start.</param>
/// <param name="DistanceMeters">Sum of the great-circle legs of <paramref name="Path"/>.</param>
/// <param name="Path">The trusted positions of the ride in order: where the bike stood when unlocked (its newest trusted position at or before the start), then every trusted position up to the end.</param>
public sealed record Trip(TripMoment Start, TripMoment? End, long DurationMs, double DistanceMeters, IReadOnlyList<LastFix> Path)
{
    public bool InProgress => End is null;
}

namespace IoTPlatform.Telemetry.Trips;

/// <summary>The trips <see cref="TripFinder"/> found, and whether it stopped at its read limit before the end of the window.</summary>
public sealed record TripSearch(IReadOnlyList<Trip> Trips, bool Truncated);

namespace IoTPlatform.Telemetry.Trips;

/// <summary>Where and when a trip started or ended.</summary>
/// <param name="Ts">Device time of the lock report that started or ended it, Unix epoch milliseconds.</param>
/// <param name="Lat">The bike's trusted position then; null when none is known.</param>
/// <param name="Lon">See <paramref name="Lat"/>.</param>
public sealed record TripMoment(long Ts, double? Lat, double? Lon);

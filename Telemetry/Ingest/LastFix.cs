namespace IoTPlatform.Telemetry.Ingest;

/// <summary>A device's trusted position at device time <paramref name="Ts"/> (Unix epoch ms).</summary>
public readonly record struct LastFix(long Ts, double Lat, double Lon);

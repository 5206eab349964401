namespace IoTPlatform.DeviceGateway.History;

/// <summary>The newest position of a device that the GPS check trusted.</summary>
public sealed record LatestPosition(double Lat, double Lon, long Ts, DateTimeOffset Time);

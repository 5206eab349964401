namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>A device's newest trusted position (it passed the GPS check): <see cref="Ts"/> is the reading's device time in epoch ms, <see cref="Time"/> the same instant.</summary>
public sealed record FleetPosition(double Lat, double Lon, long Ts, DateTimeOffset Time);

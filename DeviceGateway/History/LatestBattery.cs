namespace IoTPlatform.DeviceGateway.History;

/// <summary>The newest battery level a device reported (in a reading or a <c>low_battery</c> event), percent.</summary>
public sealed record LatestBattery(int Percent, long Ts, DateTimeOffset Time);

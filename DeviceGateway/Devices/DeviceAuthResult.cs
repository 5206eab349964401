namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>The outcome of checking a device's credentials (the broker maps these to CONNECT reason codes).</summary>
public enum DeviceAuthResult
{
    Accepted,
    UnknownDevice,
    Decommissioned,
    BadSecret,
}

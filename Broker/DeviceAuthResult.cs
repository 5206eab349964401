namespace IoTPlatform.Broker;

/// <summary>The outcome of checking a device's credentials; the broker maps each to a CONNECT reason code.</summary>
public enum DeviceAuthResult
{
    Accepted,
    UnknownDevice,
    Decommissioned,
    BadSecret,
}

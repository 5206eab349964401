using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>The retained status the controller publishes when it connects: <c>{online: true, fw, ts, clock}</c> as of now.</summary>
public interface IDeviceStatusSource
{
    /// <summary>The online status now.</summary>
    DeviceStatus Online();
}

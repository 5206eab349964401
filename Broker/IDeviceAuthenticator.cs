namespace IoTPlatform.Broker;

/// <summary>Checks a device's id and secret (the backend's device registry implements it).</summary>
public interface IDeviceAuthenticator
{
    Task<DeviceAuthResult> VerifySecretAsync(string deviceId, string secret, CancellationToken cancellationToken);
}

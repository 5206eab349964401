namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>A device together with a newly issued secret — the only time the secret exists in clear.</summary>
public sealed record SecretIssued(Device Device, string Secret);

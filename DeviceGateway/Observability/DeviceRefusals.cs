namespace IoTPlatform.DeviceGateway.Observability;

/// <summary>Refusals of one device by reason.</summary>
public sealed record DeviceRefusals(string DeviceId, IReadOnlyDictionary<string, long> Reasons);

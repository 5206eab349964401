namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>Refused payloads and items of one device, by reason.</summary>
public sealed record DeviceRejects(string DeviceId, IReadOnlyDictionary<string, long> Reasons);

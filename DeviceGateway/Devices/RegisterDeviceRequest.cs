namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>
/// Body of <c>POST /api/devices</c>. Fields are loosely typed so that every mistake is answered with
/// a problem naming the field rather than a generic binding failure.
/// </summary>
public sealed record RegisterDeviceRequest(string? Id, string? Kind, int? Slots);

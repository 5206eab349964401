namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>A page of devices; pass <see cref="Next"/> as <c>after</c> for the next page (null on the last).</summary>
public sealed record DeviceListResponse(IReadOnlyList<DeviceResponse> Items, string? Next);

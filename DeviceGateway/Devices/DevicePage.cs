namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>One page of devices in id order; <see cref="Next"/> is the cursor for the next page, null on the last.</summary>
public sealed record DevicePage(IReadOnlyList<Device> Items, string? Next);

using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>A device as the HTTP API shows it. <see cref="Secret"/> is present only when one was just issued.</summary>
public sealed record DeviceResponse(
    string Id,
    DeviceKind Kind,
    int? Slots,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SecretRotatedAt,
    DateTimeOffset? DecommissionedAt,
    string? Secret = null)
{
    public static DeviceResponse From(Device device, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new(
            device.Id,
            device.Kind,
            device.Kind.HasSlots() ? device.Slots : null,
            device.IsDecommissioned ? "decommissioned" : "active",
            device.CreatedAt,
            device.SecretRotatedAt,
            device.DecommissionedAt,
            secret);
    }
}

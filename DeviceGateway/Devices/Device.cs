using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>A registered lock controller as the registry keeps it (without its secret hash).</summary>
public sealed record Device(
    string Id,
    DeviceKind Kind,
    int Slots,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SecretRotatedAt,
    DateTimeOffset? DecommissionedAt)
{
    public bool IsDecommissioned => DecommissionedAt is not null;
}

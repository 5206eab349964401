using System.Text.Json;
using IoTPlatform.DeviceGateway.Presence;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>
/// A device as the HTTP API shows it: its record, whether it is online now, when it was last seen, its
/// sensed lock and battery (newest by device time), and its own last status message. <see cref="Secret"/> is present only when one was just issued.
/// </summary>
public sealed record DeviceResponse(
    string Id,
    DeviceKind Kind,
    int? Slots,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SecretRotatedAt,
    DateTimeOffset? DecommissionedAt,
    bool Online,
    DateTimeOffset? LastSeen,
    string? Lock,
    int? Battery,
    JsonElement? DeviceStatus,
    DateTimeOffset? DeviceStatusAt,
    string? Secret = null)
{
    public static DeviceResponse From(Device device, bool online, DateTimeOffset? liveLastSeen, StoredDeviceState? stored, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        var lastSeen = liveLastSeen ?? stored?.LastSeen;
        if (stored?.LastSeen is { } storedSeen && storedSeen > lastSeen)
        {
            lastSeen = storedSeen;
        }

        return new(
            device.Id,
            device.Kind,
            device.Kind.HasSlots() ? device.Slots : null,
            device.IsDecommissioned ? "decommissioned" : "active",
            device.CreatedAt,
            device.SecretRotatedAt,
            device.DecommissionedAt,
            online,
            lastSeen,
            stored?.Lock,
            stored?.Battery,
            stored?.StatusJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null,
            stored?.StatusAt,
            secret);
    }
}

using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>Body of <c>GET /api/devices/{id}/slots</c>: every slot of a kiosk, 1 to <see cref="SlotCount"/>.</summary>
public sealed record SlotsResponse(string DeviceId, DeviceKind Kind, int SlotCount, IReadOnlyList<SlotEntry> Slots);

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// The devices a fleet query matched, at most the asked limit; <see cref="Truncated"/> says more matched. In id
/// order, or nearest first with <c>near</c>.
/// </summary>
public sealed record FleetResponse(int Count, bool Truncated, IReadOnlyList<FleetDevice> Devices);

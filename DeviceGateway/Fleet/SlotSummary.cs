namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// A kiosk's slots counted by their latest reported state; <see cref="Unreported"/> are the slots the kiosk has
/// not reported yet (<see cref="Total"/> is its registered slot count).
/// </summary>
public sealed record SlotSummary(int Total, int Empty, int Occupied, int Released, int Fault, int Unreported);

using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>The newest lock state a device reported (in a reading or an event): <c>ts</c> in device epoch ms, <c>time</c> the same as ISO 8601.</summary>
public sealed record LatestLock(LockState State, long Ts, DateTimeOffset Time);

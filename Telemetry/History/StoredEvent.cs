using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.History;

/// <summary>An event as the history keeps it, with when it arrived (receiver time, Unix epoch milliseconds).</summary>
public sealed record StoredEvent(string DeviceId, DeviceEvent Event, long ReceivedAtMs);

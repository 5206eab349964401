using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>The properties of one track point in the GeoJSON telemetry: which reading, when, and what it said besides its position.</summary>
public sealed record TrackPointProperties(long Seq, long Ts, DateTimeOffset Time, int? Battery, LockState? Lock, double? Speed, double? Course);

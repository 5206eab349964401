namespace IoTPlatform.DeviceGateway.Observability;

/// <summary>Body of <c>GET /api/broker/stats</c>.</summary>
public sealed record BrokerStatsResponse(
    int ConnectedDevices,
    long ConnectsTotal,
    double ConnectsPerSecond,
    IReadOnlyDictionary<string, long> Refusals,
    IReadOnlyList<DeviceRefusals> RefusedDevices);

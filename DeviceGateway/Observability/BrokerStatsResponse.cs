namespace IoTPlatform.DeviceGateway.Observability;

/// <summary>Body of <c>GET /api/broker/stats</c>.</summary>
public sealed record BrokerStatsResponse(
    int ConnectedDevices,
    long ConnectsTotal,
    double ConnectsPerSecond,
    IReadOnlyDictionary<string, long> Refusals,
    IReadOnlyList<DeviceRefusals> RefusedDevices,
    CommandSends CommandSends);

/// <summary>Publishes of commands to one device's session, by result (see <c>Broker/CommandChannel</c>).</summary>
public sealed record CommandSends(long Sent, long Offline, long NotSubscribed, long QueueFull);

using IoTPlatform.Broker;
using IoTPlatform.Broker.Presence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.Observability;

/// <summary>What the embedded broker is doing: connected devices, connect rate, refusals.</summary>
public static class BrokerApi
{
    public const int TopDevices = 100;

    public static IEndpointRouteBuilder MapBrokerApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/broker").WithTags("Broker").RequireAuthorization()
            .MapGet("/stats", GetStats)
            .WithSummary("Connected devices, connects per second (last 10 s), refusals by reason and the most refused devices.");
        return app;
    }

    public static Ok<BrokerStatsResponse> GetStats(BrokerStats stats, PresenceTracker presence)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(presence);
        return TypedResults.Ok(new BrokerStatsResponse(
            presence.OnlineCount,
            stats.ConnectsTotal,
            stats.ConnectsPerSecond(),
            stats.RefusalsByReason(),
            [.. stats.TopRefusedDevices(TopDevices).Select(d => new DeviceRefusals(d.DeviceId, d.Reasons))],
            new CommandSends(stats.CommandsSent, stats.CommandsOffline, stats.CommandsNotSubscribed, stats.CommandsQueueFull)));
    }
}

using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Http;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Observability;
using IoTPlatform.DeviceGateway.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>The crews' question over HTTP: which devices need me, and where.</summary>
public static class FleetApi
{
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/fleet").WithTags("Fleet").RequireAuthorization()
            .MapGet("/", QueryAsync)
            .WithSummary("Active devices matching every given filter (kind, batteryBelow, lock, online, offlineForSeconds, bbox, near), "
                + "in id order or nearest first with near; at most limit (default 100).");
        return app;
    }

    public static async Task<Results<Ok<FleetResponse>, ValidationProblem>> QueryAsync(
        [AsParameters] FleetParameters parameters,
        StateStore store,
        LatestStateStore latest,
        PresenceTracker presence,
        GatewayCounters counters,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        if (!FleetFilter.TryParse(parameters, out var filter, out var errors))
        {
            return Invalid.Problem(counters, errors, "The fleet query cannot be read.");
        }

        return TypedResults.Ok(await new FleetQuery(store, latest, presence, time).RunAsync(filter, cancellationToken).ConfigureAwait(false));
    }
}

using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Http;
using IoTPlatform.DeviceGateway.Observability;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>A device's presence over HTTP: online now, and its transitions with their reasons.</summary>
public static class PresenceApi
{
    public const int DefaultPresencePage = 1000;
    public const int MaxPresencePage = 10_000;
    public static readonly TimeSpan DefaultPresenceWindow = TimeSpan.FromDays(7);

    public static IEndpointRouteBuilder MapPresenceApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/devices").WithTags("Presence").RequireAuthorization()
            .MapGet("/{id}/presence", GetPresenceAsync)
            .WithSummary("Online/offline transitions with their reasons, oldest first (default: the last 7 days).");
        return app;
    }

    public static async Task<Results<Ok<PresenceResponse>, ValidationProblem, ProblemHttpResult>> GetPresenceAsync(
        string id,
        string? from,
        string? to,
        int? limit,
        DeviceRegistry registry,
        PresenceStore store,
        PresenceTracker presence,
        GatewayCounters counters,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(presence);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(time);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!QueryTime.TryParse(from, out var fromTime))
        {
            errors["from"] = [QueryTime.Describe("from")];
        }

        if (!QueryTime.TryParse(to, out var toTime))
        {
            errors["to"] = [QueryTime.Describe("to")];
        }

        if (limit is < 1 or > MaxPresencePage)
        {
            errors["limit"] = [$"The limit must be from 1 to {MaxPresencePage}."];
        }

        if (errors.Count > 0)
        {
            return Invalid.Problem(counters, errors);
        }

        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return DevicesApi.DeviceNotFound(id);
        }

        var now = time.GetUtcNow();
        var items = await store.GetTransitionsAsync(
            id, fromTime ?? now - DefaultPresenceWindow, toTime ?? now, limit ?? DefaultPresencePage, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PresenceResponse(
            id,
            presence.IsOnline(id),
            [.. items.Select(t => new PresenceEntry(t.At, t.Online, t.Reason, t.Endpoint))]));
    }
}

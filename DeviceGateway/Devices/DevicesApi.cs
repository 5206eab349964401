using IoTPlatform.Broker;
using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Auth;
using IoTPlatform.DeviceGateway.Http;
using IoTPlatform.DeviceGateway.Observability;
using IoTPlatform.DeviceProtocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>The device registry over HTTP: register, list, show, rotate a secret, decommission.</summary>
public static class DevicesApi
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization();

        api.MapPost("/", RegisterAsync).RequireAuthorization(ApiAuthExtensions.AdminPolicy)
            .WithSummary("Register a device; the response holds its secret, shown this once.");
        api.MapGet("/", ListAsync).WithSummary("List devices in id order, a page at a time.");
        api.MapGet("/{id}", GetAsync).WithSummary("One device, decommissioned ones included.");
        api.MapPost("/{id}/secret", RotateSecretAsync).RequireAuthorization(ApiAuthExtensions.AdminPolicy)
            .WithSummary("Issue a new secret; the old one stops working.");
        api.MapDelete("/{id}", DecommissionAsync).RequireAuthorization(ApiAuthExtensions.AdminPolicy)
            .WithSummary("Decommission a device: refused from now on, history kept.");
        return app;
    }

    public static async Task<Results<Created<DeviceResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterDeviceRequest request, DeviceRegistry registry, DeviceViews views, GatewayCounters counters, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(counters);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.Id))
        {
            errors["id"] = ["The id is required."];
        }
        else if (!DeviceId.IsValid(request.Id))
        {
            errors["id"] = [$"The id '{request.Id}' must match {DeviceId.Pattern}: 3–64 lower-case letters, digits and '-', not starting with '-'."];
        }

        var kindKnown = DeviceKinds.TryParse(request.Kind, out var kind);
        if (!kindKnown)
        {
            errors["kind"] = [request.Kind is null
                ? $"The kind is required: one of {string.Join(", ", DeviceKinds.Names)}."
                : $"The kind '{request.Kind}' is not one of {string.Join(", ", DeviceKinds.Names)}."];
        }
        else if (kind.HasSlots() && request.Slots is not (>= 1 and <= DeviceKinds.MaxSlots))
        {
            errors["slots"] = [$"A device of kind '{request.Kind}' needs slots: a whole number from 1 to {DeviceKinds.MaxSlots}."];
        }
        else if (!kind.HasSlots() && request.Slots is not null)
        {
            errors["slots"] = [$"A device of kind '{request.Kind}' has no slots; leave the field out."];
        }

        if (errors.Count > 0)
        {
            return Invalid.Problem(counters, errors, "The device cannot be registered.");
        }

        var (outcome, issued) = await registry.RegisterAsync(request.Id!, kind, request.Slots ?? 0, cancellationToken).ConfigureAwait(false);
        if (outcome == RegistryOutcome.AlreadyExists)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The device id is taken.",
                detail: $"A device '{request.Id}' is (or was) registered; ids of decommissioned devices are not reused.");
        }

        counters.DeviceRegistered();
        Log.DeviceRegistered(loggers.CreateLogger(typeof(DevicesApi)), issued!.Device.Id, request.Kind!);
        return TypedResults.Created($"/api/devices/{issued.Device.Id}", await views.ViewAsync(issued.Device, cancellationToken, issued.Secret).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<DeviceListResponse>, ValidationProblem>> ListAsync(
        DeviceRegistry registry,
        DeviceViews views,
        GatewayCounters counters,
        string? kind,
        string? after,
        int? limit,
        bool? includeDecommissioned,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(counters);
        DeviceKind? kindFilter = null;
        if (kind is not null)
        {
            if (!DeviceKinds.TryParse(kind, out var parsed))
            {
                return Invalid.Problem(counters, "kind", $"The kind '{kind}' is not one of {string.Join(", ", DeviceKinds.Names)}.");
            }

            kindFilter = parsed;
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return Invalid.Problem(counters, "limit", $"The limit must be from 1 to {MaxPageSize}.");
        }

        var page = await registry.ListAsync(kindFilter, after, limit ?? DefaultPageSize, includeDecommissioned ?? false, cancellationToken)
            .ConfigureAwait(false);
        return TypedResults.Ok(new DeviceListResponse(await views.ViewAsync(page.Items, cancellationToken).ConfigureAwait(false), page.Next));
    }

    public static async Task<Results<Ok<DeviceResponse>, ProblemHttpResult>> GetAsync(
        string id, DeviceRegistry registry, DeviceViews views, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(views);
        var device = await registry.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return device is null ? DeviceNotFound(id) : TypedResults.Ok(await views.ViewAsync(device, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<DeviceResponse>, ProblemHttpResult>> RotateSecretAsync(
        string id, DeviceRegistry registry, DeviceSessions sessions, DeviceViews views, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(views);
        var (outcome, issued) = await registry.RotateSecretAsync(id, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case RegistryOutcome.Done:
                Log.SecretRotated(loggers.CreateLogger(typeof(DevicesApi)), id);
                await sessions.CloseAsync(id, PresenceReasons.SecretRotated).ConfigureAwait(false);
                return TypedResults.Ok(await views.ViewAsync(issued!.Device, cancellationToken, issued.Secret).ConfigureAwait(false));
            case RegistryOutcome.Decommissioned:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "The device is decommissioned.",
                    detail: $"Device '{id}' was decommissioned; it gets no new secret.");
            default:
                return DeviceNotFound(id);
        }
    }

    public static async Task<Results<Ok<DeviceResponse>, ProblemHttpResult>> DecommissionAsync(
        string id, DeviceRegistry registry, DeviceSessions sessions, DeviceViews views, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(views);
        var (outcome, device) = await registry.DecommissionAsync(id, cancellationToken).ConfigureAwait(false);
        if (outcome == RegistryOutcome.NotFound)
        {
            return DeviceNotFound(id);
        }

        if (outcome == RegistryOutcome.Done)
        {
            Log.DeviceDecommissioned(loggers.CreateLogger(typeof(DevicesApi)), id);
        }

        // Close any live session in both cases: decommissioning twice is not an error, the device is in
        // the state the caller asked for.
        await sessions.CloseAsync(id, PresenceReasons.Decommissioned).ConfigureAwait(false);
        return TypedResults.Ok(await views.ViewAsync(device!, cancellationToken).ConfigureAwait(false));
    }

    internal static ProblemHttpResult DeviceNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such device.", detail: $"No device '{id}' is registered.");
}

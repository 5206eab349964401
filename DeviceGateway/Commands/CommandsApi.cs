using System.Security.Claims;
using IoTPlatform.DeviceGateway.Auth;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Http;
using IoTPlatform.DeviceGateway.Observability;
using IoTPlatform.DeviceProtocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// Remote unlock/lock over HTTP: send a command (idempotent per device and <c>Idempotency-Key</c>, optionally waiting for
/// its end), read one, list a device's, cancel one, and the service's counters.
/// </summary>
public static class CommandsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 200;
    public const int DefaultListLimit = 100;
    public const int MaxListLimit = 1000;

    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/devices/{id}/commands", SendAsync).WithTags("Commands").RequireAuthorization()
            .WithSummary("Send unlock/lock (bikes) or release/secure with a slot (kiosks); needs an Idempotency-Key; ?wait=N holds the answer up to N s for the end.");
        app.MapGet("/api/devices/{id}/commands", ListAsync).WithTags("Commands").RequireAuthorization()
            .WithSummary("A device's commands created in [from, to], oldest first, optionally in one state.");
        var commands = app.MapGroup("/api/commands").WithTags("Commands").RequireAuthorization();
        commands.MapGet("/stats", GetStats).WithSummary("Commands created and sent, states entered, acks by what became of them.");
        commands.MapGet("/{commandId}", GetAsync).WithSummary("One command with its history.");
        commands.MapPost("/{commandId}/cancel", CancelAsync).WithSummary("Cancel a command the device has not acked yet.");
        return app;
    }

    public static async Task<Results<Created<CommandResponse>, Ok<CommandResponse>, ValidationProblem, ProblemHttpResult>> SendAsync(
        string id,
        [FromBody] CommandRequest request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        int? wait,
        ClaimsPrincipal user,
        DeviceRegistry registry,
        CommandService commands,
        GatewayCounters counters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(commands);
        var device = await registry.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (device is null)
        {
            return DeviceNotFound(id);
        }

        var role = user.FindFirstValue(ClaimTypes.Role);
        if (role is not (ApiRole.Admin or ApiRole.Ops or ApiRole.Maintenance))
        {
            return Forbidden(user, role, "send commands");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var action = CheckAction(device, request, errors);
        if (request.TtlSeconds is < CommandOptions.MinTtlSeconds or > CommandOptions.MaxTtlSeconds)
        {
            errors["ttlSeconds"] = [$"ttlSeconds must be from {CommandOptions.MinTtlSeconds} to {CommandOptions.MaxTtlSeconds}."];
        }

        if (string.IsNullOrEmpty(idempotencyKey))
        {
            errors[IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header is required: a unique string per intended command (a retry sends the same one)."];
        }
        else if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.Any(c => c is < ' ' or > '~'))
        {
            errors[IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} must be 1–{MaxIdempotencyKeyLength} printable ASCII characters."];
        }

        if (wait is < 0 or > CommandOptions.MaxWaitSeconds)
        {
            errors["wait"] = [$"wait must be from 0 to {CommandOptions.MaxWaitSeconds} seconds."];
        }

        if (errors.Count > 0)
        {
            return Invalid.Problem(counters, errors, "The command cannot be sent.");
        }

        if (!MayCommand(role, action!.Value))
        {
            return Forbidden(user, role, $"send '{action.Value.ToWireName()}'");
        }

        if (device.IsDecommissioned)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "device decommissioned", detail: $"Device '{id}' is decommissioned.");
        }

        var result = await commands.CreateAsync(device.Id, action.Value, request, idempotencyKey!, user.Identity?.Name ?? "unknown", cancellationToken)
            .ConfigureAwait(false);
        switch (result.Outcome)
        {
            case CreateOutcome.Offline:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "device offline",
                    detail: $"Device '{id}' is not connected. Send again with \"queueIfOffline\": true to deliver it when the device comes back before the command expires.");
            case CreateOutcome.RateLimited:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many commands for this device.",
                    detail: $"Device '{id}' got {commands.Options.MaxPerDevicePerMinute} commands within the last minute (Commands:MaxPerDevicePerMinute).");
            case CreateOutcome.KeyReused:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused for a different command.",
                    detail: $"The key was used for command {result.Command!.Id} ({result.Command.Action.ToWireName()}), which asked something else. Use a new key for a new command.");
        }

        var command = result.Command!;
        if (wait is > 0 && !command.State.IsEnded())
        {
            command = await commands.WaitUntilEndedAsync(command.Id, TimeSpan.FromSeconds(wait.Value), cancellationToken).ConfigureAwait(false) ?? command;
        }

        var response = CommandResponse.From(command);
        return result.Outcome == CreateOutcome.Created ? TypedResults.Created($"/api/commands/{command.Id}", response) : TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<CommandResponse>, ProblemHttpResult>> GetAsync(string commandId, CommandService commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return await commands.GetAsync(commandId, cancellationToken).ConfigureAwait(false) is { } command
            ? TypedResults.Ok(CommandResponse.From(command))
            : CommandNotFound(commandId);
    }

    public static async Task<Results<Ok<CommandListResponse>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string id, string? from, string? to, string? state, int? limit, DeviceRegistry registry, CommandService commands, GatewayCounters counters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(commands);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!QueryTime.TryParse(from, out var fromTime))
        {
            errors["from"] = [QueryTime.Describe("from")];
        }

        if (!QueryTime.TryParse(to, out var toTime))
        {
            errors["to"] = [QueryTime.Describe("to")];
        }

        CommandState? stateFilter = null;
        if (state is not null)
        {
            if (CommandStates.TryParse(state, out var parsed))
            {
                stateFilter = parsed;
            }
            else
            {
                errors["state"] = [$"The state '{state}' is not one of {string.Join(", ", CommandStates.Names)}."];
            }
        }

        if (limit is < 1 or > MaxListLimit)
        {
            errors["limit"] = [$"The limit must be from 1 to {MaxListLimit}."];
        }

        if (errors.Count > 0)
        {
            return Invalid.Problem(counters, errors);
        }

        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return DeviceNotFound(id);
        }

        var found = await commands.ListAsync(
            id, fromTime?.ToUnixTimeMilliseconds() ?? 0, toTime?.ToUnixTimeMilliseconds() ?? long.MaxValue, stateFilter, limit ?? DefaultListLimit, cancellationToken)
            .ConfigureAwait(false);
        return TypedResults.Ok(new CommandListResponse(id, [.. found.Select(CommandResponse.From)]));
    }

    public static async Task<Results<Ok<CommandResponse>, ProblemHttpResult>> CancelAsync(
        string commandId, ClaimsPrincipal user, CommandService commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(commands);
        var role = user.FindFirstValue(ClaimTypes.Role);
        if (role is not (ApiRole.Admin or ApiRole.Ops))
        {
            return Forbidden(user, role, "cancel commands");
        }

        var result = await commands.CancelAsync(commandId, user.Identity?.Name ?? "unknown", cancellationToken).ConfigureAwait(false);
        if (result is not { } done)
        {
            return CommandNotFound(commandId);
        }

        return done.Cancelled
            ? TypedResults.Ok(CommandResponse.From(done.Command))
            : TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The command can no longer be cancelled.",
                detail: $"Command {commandId} is {done.Command.State.ToWireName()}: only QUEUED or SENT commands (not yet acked by the device) can be cancelled.");
    }

    public static Ok<CommandStatsResponse> GetStats(CommandStats stats, CommandDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(dispatcher);
        return TypedResults.Ok(new CommandStatsResponse(
            stats.Created, stats.Attempts, stats.StatesEntered(), stats.AcksByKind(), stats.RefusedByReason(), dispatcher.Running));
    }

    /// <summary>The action, if it is one and fits the device's kind and slots; otherwise null with the errors named.</summary>
    private static CommandAction? CheckAction(Device device, CommandRequest request, Dictionary<string, string[]> errors)
    {
        var allowed = device.Kind.HasSlots() ? "release or secure (with a slot)" : "unlock or lock";
        if (request.Action is null || !WireNames.TryParseCommandAction(request.Action, out var action))
        {
            errors["action"] = [request.Action is null
                ? $"The action is required: for a {device.Kind.ToWireName()}, {allowed}."
                : $"The action '{request.Action}' is not one of unlock, lock, release, secure."];
            return null;
        }

        var forSlots = action is CommandAction.Release or CommandAction.Secure;
        if (forSlots != device.Kind.HasSlots())
        {
            errors["action"] = [$"A {device.Kind.ToWireName()} takes {allowed}, not '{request.Action}'."];
            return null;
        }

        if (forSlots && request.Slot is not { } slot)
        {
            errors["slot"] = [$"'{request.Action}' needs a slot: 1 to {device.Slots}."];
        }
        else if (forSlots && (request.Slot < 1 || request.Slot > device.Slots))
        {
            errors["slot"] = [$"The slot must be from 1 to {device.Slots}."];
        }
        else if (!forSlots && request.Slot is not null)
        {
            errors["slot"] = [$"A {device.Kind.ToWireName()} has no slots; leave the field out."];
        }

        return action;
    }

    private static bool MayCommand(string? role, CommandAction action) => role switch
    {
        ApiRole.Admin or ApiRole.Ops => true,
        ApiRole.Maintenance => action is CommandAction.Unlock or CommandAction.Release,
        _ => false,
    };

    private static ProblemHttpResult Forbidden(ClaimsPrincipal user, string? role, string what) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Not allowed.",
            detail: $"The API key '{user.Identity?.Name}' (role '{role}') may not {what}: admin and ops may send and cancel any command, maintenance may send unlock and release.");

    private static ProblemHttpResult DeviceNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such device.", detail: $"No device '{id}' is registered.");

    private static ProblemHttpResult CommandNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such command.", detail: $"No command '{id}'.");
}

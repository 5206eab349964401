using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Http;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Observability;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Trips;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// The maintenance crews' look at one device: its latest state, its readings (JSON, GeoJSON or CSV), its
/// events, its rides and a kiosk's slots. Every key may query. Windows are device time, <c>from</c> ≤ ts &lt; <c>to</c>.
/// </summary>
public static class HistoryApi
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 50_000;
    public const string GeoJsonContentType = "application/geo+json";
    public const string CsvContentType = "text/csv; charset=utf-8";

    /// <summary>Response header of the telemetry in every format: <c>true</c> when there were more readings than the limit.</summary>
    public const string TruncatedHeader = "X-Truncated";

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    private static readonly string[] Formats = ["json", "geojson", "csv"];

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/devices").WithTags("History").RequireAuthorization();
        api.MapGet("/{id}/latest", GetLatestAsync)
            .WithSummary("The newest reading by device time, and the newest lock, battery, trusted position and slots.");
        api.MapGet("/{id}/telemetry", GetTelemetryAsync)
            .WithSummary("Readings in a window (default: the 24 h before 'to', which defaults to now) as json, geojson or csv.");
        api.MapGet("/{id}/events", GetEventsAsync)
            .WithSummary("Events in a window (default: the last 24 h), of one type when asked.");
        api.MapGet("/{id}/trips", GetTripsAsync)
            .WithSummary("Rides (unlocked to locked) that overlap a window (default: the last 24 h), each whole.");
        api.MapGet("/{id}/slots", GetSlotsAsync)
            .WithSummary("A kiosk's slots with what each last reported.");
        return app;
    }

    public static async Task<Results<Ok<LatestResponse>, ProblemHttpResult>> GetLatestAsync(
        string id, DeviceRegistry registry, DeviceViews views, LatestStateStore latestStates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(latestStates);
        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } device)
        {
            return DevicesApi.DeviceNotFound(id);
        }

        var view = await views.ViewAsync(device, cancellationToken).ConfigureAwait(false);
        var latest = await latestStates.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new LatestResponse(
            id,
            device.Kind,
            view.Online,
            view.LastSeen,
            latest?.Reading is { } reading ? ReadingEntry.From(reading, latest.ReadingPositionRejected, latest.ReadingReceivedAtMs) : null,
            latest is { Lock: { } lockState, LockStamp: { } lockStamp } ? new LatestLock(lockState, lockStamp.Ts, Time(lockStamp.Ts)) : null,
            latest is { Battery: { } percent, BatteryStamp: { } batteryStamp } ? new LatestBattery(percent, batteryStamp.Ts, Time(batteryStamp.Ts)) : null,
            latest?.Position is { } fix ? new LatestPosition(fix.Lat, fix.Lon, fix.Ts, Time(fix.Ts)) : null,
            device.Kind.HasSlots() ? SlotEntry.For(device.Slots, latest?.Slots ?? []) : null));
    }

    public static async Task<Results<Ok<TelemetryResponse>, JsonHttpResult<GeoJsonTrack>, PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> GetTelemetryAsync(
        string id,
        string? from,
        string? to,
        int? limit,
        string? format,
        DeviceRegistry registry,
        IHistoryQueries history,
        GatewayCounters counters,
        TimeProvider time,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(response);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var window = HistoryWindow.Read(from, to, time.GetUtcNow(), DefaultWindow, errors);
        CheckLimit(limit, errors);
        if (format is not null && !Formats.Contains(format, StringComparer.Ordinal))
        {
            errors["format"] = [$"The format '{format}' is not one of {string.Join(", ", Formats)}."];
        }

        if (errors.Count > 0)
        {
            return Invalid.Problem(counters, errors);
        }

        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return DevicesApi.DeviceNotFound(id);
        }

        var asked = window!.Value;
        var take = limit ?? DefaultLimit;
        var (page, truncated) = FirstPage(await history.ReadingsAsync(id, asked.FromMs, asked.ToMs, take + 1, cancellationToken).ConfigureAwait(false), take);
        response.Headers[TruncatedHeader] = truncated ? "true" : "false";
        return format switch
        {
            "geojson" => TypedResults.Json(GeoJsonTrack.Of(page), contentType: GeoJsonContentType),
            "csv" => TypedResults.Stream(stream => TelemetryCsv.WriteAsync(stream, page, cancellationToken), CsvContentType),
            _ => TypedResults.Ok(new TelemetryResponse(id, asked.From, asked.To, page.Count, truncated, [.. page.Select(ReadingEntry.From)])),
        };
    }

    public static async Task<Results<Ok<EventsResponse>, ValidationProblem, ProblemHttpResult>> GetEventsAsync(
        string id,
        string? from,
        string? to,
        string? type,
        int? limit,
        DeviceRegistry registry,
        IHistoryQueries history,
        GatewayCounters counters,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(time);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var window = HistoryWindow.Read(from, to, time.GetUtcNow(), DefaultWindow, errors);
        CheckLimit(limit, errors);
        EventType? typeFilter = null;
        if (type is not null)
        {
            if (WireNames.TryParseEventType(type, out var parsed))
            {
                typeFilter = parsed;
            }
            else
            {
                errors["type"] = [$"The type '{type}' is not one of {string.Join(", ", Enum.GetValues<EventType>().Select(t => t.ToWireName()))}."];
            }
        }

        if (errors.Count > 0)
        {
            return Invalid.Problem(counters, errors);
        }

        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return DevicesApi.DeviceNotFound(id);
        }

        var asked = window!.Value;
        var take = limit ?? DefaultLimit;
        var (page, truncated) = FirstPage(await history.EventsAsync(id, asked.FromMs, asked.ToMs, typeFilter, take + 1, cancellationToken).ConfigureAwait(false), take);
        return TypedResults.Ok(new EventsResponse(id, asked.From, asked.To, page.Count, truncated, [.. page.Select(EventEntry.From)]));
    }

    public static async Task<Results<Ok<TripsResponse>, ValidationProblem, ProblemHttpResult>> GetTripsAsync(
        string id,
        string? from,
        string? to,
        DeviceRegistry registry,
        IHistoryQueries history,
        GatewayCounters counters,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(time);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (HistoryWindow.Read(from, to, time.GetUtcNow(), DefaultWindow, errors) is not { } window)
        {
            return Invalid.Problem(counters, errors);
        }

        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return DevicesApi.DeviceNotFound(id);
        }

        var search = await TripFinder.FindAsync(history, id, window.FromMs, window.ToMs, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<TripEntry> trips = [.. search.Trips.Select(TripEntry.From)];
        return TypedResults.Ok(new TripsResponse(id, window.From, window.To, trips.Count, search.Truncated, trips));
    }

    public static async Task<Results<Ok<SlotsResponse>, ProblemHttpResult>> GetSlotsAsync(
        string id, DeviceRegistry registry, LatestStateStore latestStates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(latestStates);
        if (await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } device)
        {
            return DevicesApi.DeviceNotFound(id);
        }

        if (!device.Kind.HasSlots())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "The device has no slots.",
                detail: $"Device '{id}' is a {device.Kind.ToWireName()}; only kiosks have slots.");
        }

        var latest = await latestStates.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SlotsResponse(id, device.Kind, device.Slots, SlotEntry.For(device.Slots, latest?.Slots ?? [])));
    }

    private static void CheckLimit(int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"The limit must be from 1 to {MaxLimit}."];
        }
    }

    /// <summary>The first <paramref name="take"/> of <paramref name="rows"/> (read as one more than that), and whether there were more.</summary>
    private static (IReadOnlyList<T> Page, bool Truncated) FirstPage<T>(IReadOnlyList<T> rows, int take) =>
        rows.Count > take ? ([.. rows.Take(take)], true) : (rows, false);

    private static DateTimeOffset Time(long ts) => DateTimeOffset.FromUnixTimeMilliseconds(ts);
}

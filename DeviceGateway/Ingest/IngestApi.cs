using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>What the ingest has done since the start: stored, commits, duplicates, rejects, GPS verdicts.</summary>
public static class IngestApi
{
    public const int TopDevices = 100;

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/ingest").WithTags("Ingest").RequireAuthorization()
            .MapGet("/stats", GetStats)
            .WithSummary("Readings and events stored, group commits, duplicates, rejects by reason and device, positions not trusted by reason.");
        return app;
    }

    public static Ok<IngestStatsResponse> GetStats(IngestStats stats, KeyIndex keys, HistorySpool spool)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(spool);
        var commits = stats.Commits;
        return TypedResults.Ok(new IngestStatsResponse(
            stats.Readings,
            stats.Events,
            commits,
            commits == 0 ? 0 : Math.Round((stats.Readings + stats.Events) / (double)commits, 1),
            stats.LastCommitItems,
            Math.Round(stats.LastCommitMilliseconds, 2),
            stats.CommitFailures,
            stats.Duplicates,
            stats.Withheld,
            stats.RejectedByReason(),
            [.. stats.TopRejectedDevices(TopDevices).Select(d => new DeviceRejects(d.DeviceId, d.Reasons))],
            stats.PositionsRejectedByReason(),
            keys.KeysInMemory,
            spool.Records,
            spool.Bytes,
            stats.ReplayedBatches,
            stats.SpoolTornRecords));
    }
}

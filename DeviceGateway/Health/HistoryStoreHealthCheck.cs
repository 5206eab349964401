using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTPlatform.DeviceGateway.Health;

/// <summary>
/// Healthy when the history store answers, took the last group commit and the spool is empty; degraded while
/// commits fail (devices get 0x97 and retry) or the spool holds batches (its depth in the description) — also
/// while the store does not answer, as long as the spool takes the commits; unhealthy when the store does not
/// answer and nothing is spooled.
/// </summary>
internal sealed class HistoryStoreHealthCheck(IHistoryStore history, HistorySpool spool, IngestStats stats) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await history.PingAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // A store outage the spool is absorbing is what the spool is for: commits still succeed (PUBACKs go out).
            return spool.Records is var held and > 0 && !stats.LastCommitFailed
                ? HealthCheckResult.Degraded($"The history store does not answer; the history spool holds {held} batch(es), {spool.Bytes} bytes, waiting for it.", e)
                : HealthCheckResult.Unhealthy("The history store does not answer.", e);
        }

        if (stats.LastCommitFailed)
        {
            return HealthCheckResult.Degraded($"The last group commit failed ({stats.CommitFailures} failures since start); PUBACKs are withheld until one succeeds.");
        }

        var records = spool.Records;
        return records > 0
            ? HealthCheckResult.Degraded($"The history spool holds {records} batch(es), {spool.Bytes} bytes, waiting for the history store.")
            : HealthCheckResult.Healthy();
    }
}

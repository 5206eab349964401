using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTPlatform.DeviceGateway.Health;

/// <summary>
/// Healthy when the history store answers, took the last group commit and the spool is empty; degraded while
/// commits fail (devices get 0x97 and retry) or the spool holds batches (its depth in the description).
/// </summary>
internal sealed class HistoryStoreHealthCheck(IHistoryStore history, HistorySpool spool, IngestStats stats) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await history.LastCommitIdAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The history store does not answer.", e);
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

using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTPlatform.DeviceGateway.Health;

/// <summary>Healthy when the history store answers and took the last group commit; degraded while commits fail (devices get 0x97 and retry).</summary>
internal sealed class HistoryStoreHealthCheck(IHistoryStore history, IngestStats stats) : IHealthCheck
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

        return stats.LastCommitFailed
            ? HealthCheckResult.Degraded($"The last group commit failed ({stats.CommitFailures} failures since start); PUBACKs are withheld until one succeeds.")
            : HealthCheckResult.Healthy();
    }
}

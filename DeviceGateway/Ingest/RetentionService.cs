using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.Telemetry.History;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>Deletes history older than <c>Storage:RetentionDays</c> (by device time), at start and every <c>Storage:RetentionSweepMinutes</c>.</summary>
public sealed class RetentionService(IHistoryStore history, IOptions<StorageOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    /// <summary>Runs one sweep; returns how many readings and events were deleted.</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow().AddDays(-options.Value.RetentionDays).ToUnixTimeMilliseconds();
        var deleted = await history.DeleteOlderThanAsync(before, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            Log.RetentionSwept(logger, deleted, options.Value.RetentionDays);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.RetentionSweepMinutes), time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep is retried at the next tick; it must not stop the backend.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.RetentionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

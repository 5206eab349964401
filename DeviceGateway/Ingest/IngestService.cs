using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>
/// Brings the ingest up before the broker takes publishes (it is registered before the broker, so it also
/// stops after it): folds into the latest state what a crash left between the two stores, loads recent
/// keys for de-duplication, starts the group committer; at stop, commits what is queued.
/// </summary>
public sealed class IngestService(
    IHistoryStore history, LatestStateStore latest, KeyIndex keys, GroupCommitter committer,
    IOptions<IngestOptions> options, TimeProvider time, ILogger<IngestService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = await latest.RecoverAsync(history, cancellationToken).ConfigureAwait(false);
        if (recovered > 0)
        {
            Log.LatestStateRecovered(logger, recovered);
        }

        var warmFrom = time.GetUtcNow().AddMinutes(-options.Value.DedupWarmMinutes).ToUnixTimeMilliseconds();
        await keys.WarmAsync(warmFrom, cancellationToken).ConfigureAwait(false);
        await committer.StartAsync(cancellationToken).ConfigureAwait(false);
        Log.IngestReady(logger, keys.KeysInMemory);
    }

    public Task StopAsync(CancellationToken cancellationToken) => committer.StopAsync();
}

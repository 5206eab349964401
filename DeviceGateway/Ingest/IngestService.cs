using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>
/// Brings the ingest up before the broker takes publishes (it is registered before the broker, so it also
/// stops after it): folds into the latest state what a crash left between the two stores, loads recent
/// keys for de-duplication (those of the history's recent past and of every batch in the spool), starts the
/// group committer, the spool's replay and the periodic save of the latest state; at stop, commits what is
/// queued, stops the replay and saves the latest state.
/// </summary>
public sealed class IngestService(
    IHistoryStore history, LatestStateStore latest, KeyIndex keys, GroupCommitter committer, HistorySpool spool, SpoolReplayer replayer,
    IOptions<IngestOptions> options, TimeProvider time, ILogger<IngestService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopSaving = new();
    private Task? _saving;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = await latest.RecoverAsync(history, spool, cancellationToken).ConfigureAwait(false);
        if (recovered > 0)
        {
            Log.LatestStateRecovered(logger, recovered);
        }

        var warmFrom = time.GetUtcNow().AddMinutes(-options.Value.DedupWarmMinutes).ToUnixTimeMilliseconds();
        await keys.WarmAsync(warmFrom, cancellationToken).ConfigureAwait(false);
        if (!spool.IsEmpty)
        {
            // Durable and acknowledged, but not in the history yet: a resend must still be a duplicate.
            Log.SpoolPending(logger, spool.Records, spool.Bytes);
            foreach (var message in spool.ReadAll().SelectMany(b => b.Messages))
            {
                keys.MarkStored(message.DeviceId, message.ItemsToStore.Select(i => i.Key));
            }
        }

        await committer.StartAsync(cancellationToken).ConfigureAwait(false);
        replayer.Start();
        _saving = Task.Run(() => SaveLoopAsync(_stopSaving.Token), CancellationToken.None);
        Log.IngestReady(logger, keys.KeysInMemory);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await committer.StopAsync().ConfigureAwait(false);
        await replayer.StopAsync().ConfigureAwait(false);
        await _stopSaving.CancelAsync().ConfigureAwait(false);
        if (_saving is not null)
        {
            await _saving.ConfigureAwait(false);
        }

        await TrySaveAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public void Dispose() => _stopSaving.Dispose();

    private async Task SaveLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.LatestSaveIntervalMilliseconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await TrySaveAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await latest.SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The history holds what was folded: the next save (or the start after a crash) catches up.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.LatestSaveFailed(logger, e);
        }
    }
}

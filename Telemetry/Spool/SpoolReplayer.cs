using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry.Spool;

/// <summary>
/// Drains the spool into the history store in commit order, through the same "history-write" pipeline as
/// the group commit, backing off (doubling, up to <see cref="HistoryWriteOptions.ReplayBackoffMaxMilliseconds"/>)
/// while the store is down. A batch the store already holds is skipped; a segment is deleted once all of its
/// batches are in the store.
/// </summary>
public sealed class SpoolReplayer(HistorySpool spool, HistoryWriter writer, HistoryWriteOptions options, IngestStats stats, TimeProvider time, ILogger<SpoolReplayer> logger)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Starts draining in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);

    /// <summary>Stops after the batch being written; what is left stays in the spool for the next start.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await spool.WaitForRecordsAsync(cancellationToken).ConfigureAwait(false);
            if (spool.TakeOldest() is not { } segment)
            {
                continue;
            }

            var (written, skipped) = (0, 0);
            foreach (var batch in segment.Batches)
            {
                if (await ReplayAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    written++;
                }
                else
                {
                    skipped++;
                }
            }

            spool.Remove(segment.Number);
            Log.SegmentReplayed(logger, segment.Number, written, skipped);
        }
    }

    /// <summary>Writes one batch, retrying until the store takes it; false when it already held it.</summary>
    private async Task<bool> ReplayAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(options.ReplayBackoffMinMilliseconds);
        var max = TimeSpan.FromMilliseconds(Math.Max(options.ReplayBackoffMinMilliseconds, options.ReplayBackoffMaxMilliseconds));
        while (true)
        {
            try
            {
                var written = await writer.WriteAsync(batch, checkFirst: true, cancellationToken).ConfigureAwait(false);
                stats.BatchReplayed();
                return written;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Whatever the store threw, the batch stays in the spool and is tried again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ReplayFailed(logger, e, batch.CommitId, (long)delay.TotalMilliseconds);
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, max.Ticks));
        }
    }
}

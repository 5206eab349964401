using IoTPlatform.Broker.Presence;

namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>
/// Writes presence in batches: queued transitions as they come, last-seen times every
/// <see cref="LastSeenInterval"/>. At start it closes sessions a crash left open; at stop it writes what is left
/// (it is registered before the broker, so it stops after it and sees the shutdown's disconnects).
/// </summary>
internal sealed class PresenceWriter(PresenceStore store, PresenceTracker tracker, TimeProvider time, ILogger<PresenceWriter> logger)
    : BackgroundService
{
    public static readonly TimeSpan LastSeenInterval = TimeSpan.FromSeconds(2);
    private const int BatchSize = 1000;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var closed = await store.CloseStaleSessionsAsync(time.GetUtcNow(), PresenceReasons.GatewayRestarted, cancellationToken).ConfigureAwait(false);
        if (closed > 0)
        {
            Log.StaleSessionsClosed(logger, closed);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextLastSeen = time.GetUtcNow() + LastSeenInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var remaining = nextLastSeen - time.GetUtcNow();
                wait.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                try
                {
                    await store.Pending.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time to save last-seen times.
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var withLastSeen = time.GetUtcNow() >= nextLastSeen;
            if (withLastSeen)
            {
                nextLastSeen = time.GetUtcNow() + LastSeenInterval;
            }

            try
            {
                await WriteBatchAsync(withLastSeen, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed write is logged and retried with the next batch; presence must not stop.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.PresenceWriteFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (store.Pending.TryPeek(out _))
        {
            await WriteBatchAsync(withLastSeen: false, cancellationToken).ConfigureAwait(false);
        }

        await WriteBatchAsync(withLastSeen: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteBatchAsync(bool withLastSeen, CancellationToken cancellationToken)
    {
        var batch = new List<PresenceTransition>();
        while (batch.Count < BatchSize && store.Pending.TryRead(out var transition))
        {
            batch.Add(transition);
        }

        var lastSeen = withLastSeen ? tracker.TakeUnsavedLastSeen() : [];
        await store.WriteAsync(batch, lastSeen, cancellationToken).ConfigureAwait(false);
    }
}

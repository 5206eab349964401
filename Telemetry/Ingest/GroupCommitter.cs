using System.Diagnostics;
using System.Threading.Channels;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// Makes many devices' readings durable in one commit. Messages queue up; one writer takes what is
/// there (up to <see cref="IngestOptions.MaxBatchItems"/>, waiting <see cref="IngestOptions.FlushDelayMilliseconds"/>
/// after the first for more), writes it to the history store in one transaction, tells the observers
/// (latest state), and only then completes each message's task — which is what lets the PUBACK go out.
/// While one commit runs, the next batch gathers.
/// <para>
/// The two writes of a commit run as two stages in order: while the observers fold commit N into the latest
/// state, the history store may already write commit N+1 (never further ahead). Each stage keeps commit order,
/// commit N's tasks still complete only after both its writes, and a crash between the stages leaves the latest
/// state behind the history, which is what the observers' recovery already handles.
/// </para>
/// <para>
/// A history write goes through the "history-write" pipeline (<see cref="HistoryWriter"/>). When it still fails
/// (or the circuit is open) the batch is appended to the <see cref="HistorySpool"/>, which is durable too, so the
/// commit succeeds and the PUBACKs go out; only when the spool refuses (full, or its disk failed) are they
/// withheld. While the spool holds batches, new ones go to the spool as well, so the history keeps commit order.
/// </para>
/// </summary>
public sealed class GroupCommitter(
    HistoryWriter writer, HistorySpool spool, IEnumerable<ICommitObserver> observers, IngestOptions options, IngestStats stats, TimeProvider time, ILogger<GroupCommitter> logger)
    : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    // Commits in the history store waiting for the observers: at most one ahead of the one being observed.
    private readonly Channel<Written> _written = Channel.CreateBounded<Written>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
    private readonly ICommitObserver[] _observers = [.. observers];
    private long _nextCommitId;
    private Task? _writer;
    private Task? _settler;

    /// <summary>Continues the commit ids of the store and the spool (which may be ahead of it) and starts the writer.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await writer.Store.LastCommitIdAsync(cancellationToken).ConfigureAwait(false);
        _nextCommitId = Math.Max(stored, spool.LastCommitId) + 1;
        _settler = Task.Run(SettleLoopAsync, CancellationToken.None);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>Queues the message's items to store; true once they are durable (store or spool), false when neither took them (or the committer stopped).</summary>
    public Task<bool> CommitAsync(IngestMessage message)
    {
        var pending = new Pending(message);
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromResult(false);
    }

    /// <summary>Commits what is queued, then stops.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }

        if (_settler is not null)
        {
            await _settler.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task WriteLoopAsync()
    {
        try
        {
            var reader = _queue.Reader;
            var batch = new List<Pending>();
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var items = Take(reader, batch, 0);
                if (items < options.MaxBatchItems && options.FlushDelayMilliseconds > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(options.FlushDelayMilliseconds), time).ConfigureAwait(false);
                    Take(reader, batch, items);
                }

                await WriteHistoryAsync([.. batch]).ConfigureAwait(false);
                batch.Clear();
            }
        }
        finally
        {
            _written.Writer.TryComplete();
        }
    }

    private async Task SettleLoopAsync()
    {
        await foreach (var written in _written.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await ObserveAndCompleteAsync(written).ConfigureAwait(false);
        }
    }

    private int Take(ChannelReader<Pending> reader, List<Pending> batch, int items)
    {
        while (items < options.MaxBatchItems && reader.TryRead(out var pending))
        {
            batch.Add(pending);
            items += pending.Items;
        }

        return items;
    }

    /// <summary>The first stage: the batch into the history store (or the spool), then on to the observers (or failed at once).</summary>
    private async Task WriteHistoryAsync(Pending[] pending)
    {
        var started = Stopwatch.GetTimestamp();
        var batch = new CommitBatch(_nextCommitId, [.. pending.Select(p => p.Message)]);
        if (!await WriteOrSpoolAsync(batch).ConfigureAwait(false))
        {
            stats.CommitFailed();
            Log.CommitFailed(logger, pending.Length, batch.ItemCount);
            foreach (var p in pending)
            {
                p.Done.TrySetResult(false);
            }

            return;
        }

        _nextCommitId++;
        await _written.Writer.WriteAsync(new Written(batch, pending, started)).ConfigureAwait(false);
    }

    // Only this writer appends to the spool and only the replayer empties it, so "empty" cannot turn into
    // "not empty" behind this check: a batch written directly never overtakes a spooled one.
    private async Task<bool> WriteOrSpoolAsync(CommitBatch batch)
    {
        if (spool.IsEmpty)
        {
            try
            {
                await writer.WriteAsync(batch, checkFirst: false, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
#pragma warning disable CA1031 // Whatever the store threw, the spool takes the batch.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.HistoryWriteFailed(logger, e, batch.CommitId, batch.Messages.Count, batch.ItemCount);
            }
        }

        return spool.TryAppend(batch);
    }

    /// <summary>The second stage: the observers (latest state), the counters, then the devices' PUBACKs.</summary>
    private async Task ObserveAndCompleteAsync(Written written)
    {
        var (batch, pending, started) = written;
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnCommittedAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The history holds the batch; an observer that failed catches up from it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ObserverFailed(logger, e, observer.GetType().Name, batch.CommitId);
            }
        }

        var readings = 0;
        var events = 0;
        foreach (var item in pending.SelectMany(p => p.Message.ItemsToStore))
        {
            if (item.Reading is not null)
            {
                readings++;
            }
            else
            {
                events++;
            }
        }

        stats.Committed(readings, events, Stopwatch.GetElapsedTime(started));
        foreach (var p in pending)
        {
            p.Done.TrySetResult(true);
        }
    }

    private sealed record Written(CommitBatch Batch, Pending[] Pending, long Started);

    private sealed class Pending(IngestMessage message)
    {
        public IngestMessage Message { get; } = message;

        public int Items { get; } = message.ItemsToStore.Count();

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

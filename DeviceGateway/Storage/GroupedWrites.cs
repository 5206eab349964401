using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>
/// Small write transactions on <c>state.db</c> made durable together. With <c>synchronous=FULL</c> every commit
/// is an fsync of the WAL (~4 ms on the reference disk), so one transaction per change caps the writes at a few
/// hundred a second however idle the CPU is. Here each write is queued; whoever finds no writer running starts
/// one, which takes everything queued, runs it in order in one transaction — each write inside its own savepoint,
/// so a write that throws is undone alone and its caller gets the exception — commits once and only then hands
/// each caller its result. The writer stops when the queue is empty; no task runs while nothing is written.
/// <para>
/// A caller sees exactly what it saw with a transaction of its own: its write runs after every write queued
/// before it and before every write queued after it, its result comes after the commit (so a read that follows
/// sees it), and a commit that fails fails every write in it.
/// </para>
/// </summary>
public sealed class GroupedWrites(StateStore store)
{
    /// <summary>At most this many writes share one commit.</summary>
    public const int MaxWritesPerCommit = 256;

    private readonly ConcurrentQueue<IWrite> _queue = new();
    private int _writing;
    private long _commits;
    private long _writes;

    /// <summary>Commits made so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far (including those that threw and were undone).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>
    /// Runs <paramref name="write"/> inside a transaction shared with other writes and returns its result once that
    /// transaction committed. The token is checked before the write is queued; once queued it runs to the end.
    /// </summary>
    public Task<T> RunAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        var queued = new Write<T>(write);
        _queue.Enqueue(queued);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return queued.Task;
    }

    private async Task DrainAsync()
    {
        var batch = new List<IWrite>(MaxWritesPerCommit);
        while (true)
        {
            while (batch.Count < MaxWritesPerCommit && _queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);

                // A write queued after the last TryDequeue and before the flag was cleared found a writer running:
                // take it over unless a new writer already did.
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<IWrite> batch)
    {
        try
        {
            var connection = await store.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var transaction = connection.BeginTransaction();
                foreach (var write in batch)
                {
                    transaction.Save("write");
                    try
                    {
                        write.Run(connection, transaction);
                        transaction.Release("write");
                    }
#pragma warning disable CA1031 // The write's own failure goes to its caller; the others still commit.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        transaction.Rollback("write");
                        transaction.Release("write");
                        write.Fail(e);
                    }
                }

                transaction.Commit();
            }
        }
#pragma warning disable CA1031 // Opening, beginning or committing failed: nothing of the batch is durable, every caller is told.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (var write in batch)
            {
                write.Fail(e);
            }

            return;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, batch.Count);
        foreach (var write in batch)
        {
            write.Complete();
        }
    }

    private interface IWrite
    {
        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Fail(Exception exception);

        void Complete();
    }

    private sealed class Write<T>(Func<SqliteConnection, SqliteTransaction, T> write) : IWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _done.Task;

        public void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = write(connection, transaction);

        public void Fail(Exception exception) => _done.TrySetException(exception);

        /// <summary>After the commit: the result, unless the write already failed (then its exception stands).</summary>
        public void Complete() => _done.TrySetResult(_result!);
    }
}

using IoTPlatform.DeviceGateway.Storage;
using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Tests.Storage;

/// <summary>
/// <see cref="GroupedWrites"/> on a real <c>state.db</c> in a temp dir (synchronous=FULL), with a scratch table:
/// writes share commits, each is undone alone when it throws, a failed commit fails its writes and the next
/// writes still commit.
/// </summary>
public sealed class GroupedWritesTests
{
    private string _dataDir = "";
    private StateStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _dataDir = Directory.CreateTempSubdirectory("iotplatform-grouped-").FullName;
        _store = new StateStore(_dataDir);
        using var connection = _store.Open();
        using var create = connection.CreateCommand();
        create.CommandText = """
            CREATE TABLE scratch (k INTEGER PRIMARY KEY);
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
            """;
        create.ExecuteNonQuery();
    }

    [TearDown]
    public void DeleteStore()
    {
        StateStore.ReleasePooledConnections();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Test]
    public async Task Writes_queued_while_a_commit_runs_share_the_next_commits_and_are_answered_after_them()
    {
        var writes = new GroupedWrites(_store);
        const int Count = 400;
        using var allQueued = new ManualResetEventSlim();

        // The first write holds the writer until every other write is queued behind it.
        var first = writes.RunAsync((c, t) => allQueued.Wait(TimeSpan.FromSeconds(30)) ? Insert(c, t, 1) : throw new TimeoutException(), CancellationToken.None);
        var rest = Enumerable.Range(2, Count - 1).Select(k => AnswerAfterAsync(writes.RunAsync((c, t) => Insert(c, t, k), CancellationToken.None), k)).ToList();
        allQueued.Set();
        await first;
        var seenOnAnswer = await Task.WhenAll(rest);

        Assert.That(seenOnAnswer, Is.All.True, "a write's caller is answered only after its commit: another connection sees it");
        Assert.That(Keys(), Is.EqualTo(Enumerable.Range(1, Count)));
        Assert.That(writes.Writes, Is.EqualTo(Count));
        // The held write's commit, then the 399 queued behind it in at most 2 of 256.
        Assert.That(writes.Commits, Is.LessThanOrEqualTo(3), "writes must share commits");
    }

    [Test]
    public async Task A_write_that_throws_is_undone_alone_and_its_caller_gets_the_exception()
    {
        var writes = new GroupedWrites(_store);
        using var allQueued = new ManualResetEventSlim();
        var outcomes = new List<Task<(int K, Exception? Error)>>();
        for (var k = 1; k <= 200; k++)
        {
            var key = k;
            outcomes.Add(OutcomeAsync(key, writes.RunAsync((c, t) =>
            {
                if (key == 1 && !allQueued.Wait(TimeSpan.FromSeconds(30)))
                {
                    throw new TimeoutException();
                }

                Insert(c, t, key);
                if (key % 10 == 0)
                {
                    throw new InvalidOperationException($"write {key} fails after its insert");
                }

                if (key % 7 == 0)
                {
                    Insert(c, t, key); // a primary-key violation inside SQLite
                }

                return key;
            }, CancellationToken.None)));
        }

        allQueued.Set();
        var results = await Task.WhenAll(outcomes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Where(o => o.K % 10 == 0).Select(o => o.Error), Is.All.InstanceOf<InvalidOperationException>());
            Assert.That(results.Where(o => o.K % 10 != 0 && o.K % 7 == 0).Select(o => o.Error), Is.All.InstanceOf<SqliteException>());
            Assert.That(results.Where(o => o.K % 10 != 0 && o.K % 7 != 0).Select(o => o.Error), Is.All.Null);
            Assert.That(Keys(), Is.EqualTo(Enumerable.Range(1, 200).Where(k => k % 10 != 0 && k % 7 != 0)), "only the writes that did not throw are stored");
            Assert.That(writes.Commits, Is.LessThanOrEqualTo(2), "the failing writes shared commits with the others");
        }
    }

    [Test]
    public async Task A_commit_that_fails_fails_its_writes_and_the_next_writes_commit()
    {
        var writes = new GroupedWrites(_store);

        // An orphan row with a deferred foreign key passes its own statement and fails at COMMIT.
        var orphan = writes.RunAsync((c, t) => Execute(c, t, "INSERT INTO child (id, parent) VALUES (1, 99)"), CancellationToken.None);
        await Assert.ThrowsAsync<SqliteException>(async () => await orphan);
        Assert.That(Count("child"), Is.Zero);

        await writes.RunAsync((c, t) => Insert(c, t, 1), CancellationToken.None);
        Assert.That(Keys(), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public async Task A_write_cancelled_before_it_is_queued_writes_nothing()
    {
        var writes = new GroupedWrites(_store);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await writes.RunAsync((c, t) => Insert(c, t, 1), cancelled.Token));
        Assert.That((Keys(), writes.Commits), Is.EqualTo((Array.Empty<int>(), 0L)));
    }

    private async Task<bool> AnswerAfterAsync(Task<int> write, int k)
    {
        await write;
        return Keys().Contains(k);
    }

    private static async Task<(int K, Exception? Error)> OutcomeAsync(int k, Task<int> write)
    {
        try
        {
            await write;
            return (k, null);
        }
#pragma warning disable CA1031 // Collected for the assertions.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (k, e);
        }
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, int k) =>
        Execute(connection, transaction, $"INSERT INTO scratch (k) VALUES ({k})");

    private static int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private int[] Keys()
    {
        using var connection = _store.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT k FROM scratch ORDER BY k";
        using var reader = select.ExecuteReader();
        var keys = new List<int>();
        while (reader.Read())
        {
            keys.Add(reader.GetInt32(0));
        }

        return [.. keys];
    }

    private long Count(string table)
    {
        using var connection = _store.Open();
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {table}";
        return (long)count.ExecuteScalar()!;
    }
}

using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>The executed-command store on a real file: reopen, torn tails, corrupt records, pruning.</summary>
[TestFixture]
public sealed class ExecutedCommandStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider _time = null!;
    private string _dir = null!;
    private RecordingLogger<ExecutedCommandStore> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Now);
        _dir = Directory.CreateTempSubdirectory("store-").FullName;
        _logger = new RecordingLogger<ExecutedCommandStore>();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string File1 => Path.Combine(_dir, "sub", "executed-commands.log");

    private ExecutedCommandStore Open() => ExecutedCommandStore.Open(File1, _time, _logger);

    private static DeviceCommand Command(string id, DateTimeOffset expiresAt, CommandAction action = CommandAction.Unlock, int? slot = null) => new()
    {
        Id = id,
        Action = action,
        Slot = slot,
        IssuedAt = expiresAt.AddSeconds(-30).ToUnixTimeMilliseconds(),
        ExpiresAt = expiresAt.ToUnixTimeMilliseconds(),
        Kid = "k1",
        Sig = "-",
    };

    private static CommandAck Received(string id) => new() { Id = id, Stage = AckStage.Received, Lock = LockState.Locked, Ts = Now.ToUnixTimeMilliseconds() };

    private static CommandAck Done(string id, AckResult result = AckResult.Ok, string? reason = null) =>
        new() { Id = id, Stage = AckStage.Done, Result = result, Lock = LockState.Unlocked, Reason = reason, Ts = Now.ToUnixTimeMilliseconds() + 400 };

    [Test]
    public void Records_survive_a_reopen_merged_by_id()
    {
        using (ExecutedCommandStore store = Open())
        {
            store.RecordAccepted(Command("a", Now.AddSeconds(30)), Received("a"));
            store.RecordDone(Command("a", Now.AddSeconds(30)), Done("a"));
            store.RecordAccepted(Command("b", Now.AddSeconds(30), CommandAction.Release, 3), Received("b"));
            store.RecordDone(Command("c", Now.AddSeconds(30)), Done("c", AckResult.Rejected, RejectReasons.Expired));
        }

        using ExecutedCommandStore reopened = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.TryGet("a", out ExecutedCommand? a), Is.True);
            Assert.That(a!.Acks, Is.EqualTo(new[] { Received("a"), Done("a") }));
            Assert.That(reopened.TryGet("b", out ExecutedCommand? b), Is.True);
            Assert.That(b, Is.EqualTo(new ExecutedCommand("b", CommandAction.Release, 3, Now.AddSeconds(30).ToUnixTimeMilliseconds(), Received("b"), null)));
            Assert.That(reopened.TryGet("c", out ExecutedCommand? c), Is.True);
            Assert.That(c!.Acks, Is.EqualTo(new[] { Done("c", AckResult.Rejected, RejectReasons.Expired) }));
            Assert.That(reopened.Unfinished.Select(e => e.Id), Is.EqualTo(new[] { "b" }));
            Assert.That(reopened.Stats.Entries, Is.EqualTo(3));
            Assert.That(reopened.Stats.TornTailsRepaired, Is.Zero);
            Assert.That(reopened.TryGet("d", out _), Is.False);
        }
    }

    [Test]
    public void A_torn_tail_is_cut_off_and_appends_after_it_are_read_back()
    {
        long goodLength;
        using (ExecutedCommandStore store = Open())
        {
            store.RecordAccepted(Command("a", Now.AddSeconds(30)), Received("a"));
            goodLength = new FileInfo(File1).Length;
            store.RecordDone(Command("a", Now.AddSeconds(30)), Done("a"));
        }
        // The power went in the middle of writing the second record.
        using (var file = new FileStream(File1, FileMode.Open))
            file.SetLength(goodLength + 11);

        using (ExecutedCommandStore store = Open())
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(store.TryGet("a", out ExecutedCommand? a), Is.True);
                Assert.That(a!.Done, Is.Null, "the torn outcome is gone; the acceptance stays");
                Assert.That(store.Stats.TornTailsRepaired, Is.EqualTo(1));
                Assert.That(new FileInfo(File1).Length, Is.EqualTo(goodLength));
                Assert.That(_logger.Count(286), Is.EqualTo(1));
            }
            store.RecordDone(Command("a", Now.AddSeconds(30)), Done("a"));
        }

        using ExecutedCommandStore again = Open();
        Assert.That(again.TryGet("a", out ExecutedCommand? after) ? after.Done : null, Is.EqualTo(Done("a")));
    }

    [Test]
    public void A_record_whose_crc_does_not_match_ends_the_good_part()
    {
        long firstLength;
        using (ExecutedCommandStore store = Open())
        {
            store.RecordDone(Command("a", Now.AddSeconds(30)), Done("a"));
            firstLength = new FileInfo(File1).Length;
            store.RecordDone(Command("b", Now.AddSeconds(30)), Done("b"));
        }
        byte[] content = File.ReadAllBytes(File1);
        content[^3] ^= 0x20;
        File.WriteAllBytes(File1, content);

        using ExecutedCommandStore reopened = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.TryGet("a", out _), Is.True);
            Assert.That(reopened.TryGet("b", out _), Is.False);
            Assert.That(new FileInfo(File1).Length, Is.EqualTo(firstLength));
            Assert.That(reopened.Stats.TornTailsRepaired, Is.EqualTo(1));
        }
    }

    [Test]
    public void Garbage_after_the_records_is_cut_off()
    {
        using (ExecutedCommandStore store = Open())
            store.RecordDone(Command("a", Now.AddSeconds(30)), Done("a"));
        long good = new FileInfo(File1).Length;
        using (var file = new FileStream(File1, FileMode.Append))
            file.Write([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6]);

        using ExecutedCommandStore reopened = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.TryGet("a", out _), Is.True);
            Assert.That(new FileInfo(File1).Length, Is.EqualTo(good));
        }
    }

    [Test]
    public void Prune_drops_ids_expired_more_than_a_day_ago_and_the_file_forgets_them()
    {
        using (ExecutedCommandStore store = Open())
        {
            store.RecordDone(Command("old", Now.AddDays(-1).AddSeconds(-1)), Done("old"));
            store.RecordAccepted(Command("recent", Now.AddDays(-1).AddSeconds(1)), Received("recent"));
            store.RecordDone(Command("new", Now.AddSeconds(30)), Done("new"));

            int dropped = store.Prune(Now);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(dropped, Is.EqualTo(1));
                Assert.That(store.TryGet("old", out _), Is.False);
                Assert.That(store.Stats.Pruned, Is.EqualTo(1));
            }
            store.RecordDone(Command("recent", Now.AddDays(-1).AddSeconds(1)), Done("recent"));
        }

        using ExecutedCommandStore reopened = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.TryGet("old", out _), Is.False);
            Assert.That(reopened.TryGet("recent", out ExecutedCommand? recent), Is.True);
            Assert.That(recent!.Acks, Has.Count.EqualTo(2), "appended after the rewrite");
            Assert.That(reopened.TryGet("new", out _), Is.True);
            Assert.That(File.Exists(File1 + ".tmp"), Is.False);
        }
    }

    [Test]
    public void PruneIfDue_waits_for_the_interval()
    {
        using ExecutedCommandStore store = Open();
        store.RecordDone(Command("old", Now.AddDays(-2)), Done("old"));

        int early = store.PruneIfDue(Now);
        _time.Advance(ExecutedCommandStore.PruneInterval);
        int due = store.PruneIfDue(Now);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(early, Is.Zero);
            Assert.That(due, Is.EqualTo(1));
        }
    }
}

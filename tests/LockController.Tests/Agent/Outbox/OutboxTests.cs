using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Outbox;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

/// <summary>The outbox's queue: order, removal, restart, the fsync policies' cursor timing, the folder lock, options.</summary>
[TestFixture]
public sealed class OutboxTests
{
    private OutboxFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new OutboxFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static byte[] Payload(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(OutboxRecord record) => Encoding.UTF8.GetString(record.Payload);

    [Test]
    public async Task Records_come_back_oldest_first_until_removed()
    {
        using var outbox = _folder.Open();
        var appended = new List<OutboxRecord>();
        foreach ((TopicKind kind, string text) in new[] { (TopicKind.Telemetry, "r1"), (TopicKind.Events, "e1"), (TopicKind.Telemetry, "r2"), (TopicKind.Acks, "a1"), (TopicKind.Telemetry, "r3") })
        {
            appended.Add(await outbox.AppendAsync(kind, Payload(text), CancellationToken.None));
        }

        IReadOnlyList<OutboxRecord> all = outbox.Peek(10);
        IReadOnlyList<OutboxRecord> two = outbox.Peek(2);
        await outbox.RemoveAsync(appended[0].Id, CancellationToken.None);
        await outbox.RemoveAsync(appended[1].Id, CancellationToken.None);
        await outbox.RemoveAsync(appended[1].Id, CancellationToken.None); // a second PUBACK changes nothing
        await outbox.RemoveAsync(999, CancellationToken.None); // nor an unknown id
        IReadOnlyList<OutboxRecord> rest = outbox.Peek(10);
        OutboxStats stats = outbox.Stats;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(appended.Select(r => r.Id), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(all.Select(Text), Is.EqualTo(new[] { "r1", "e1", "r2", "a1", "r3" }));
            Assert.That(all.Select(r => r.Kind), Is.EqualTo(appended.Select(r => r.Kind)));
            Assert.That(two.Select(r => r.Id), Is.EqualTo(new long[] { 1, 2 }));
            Assert.That(rest.Select(Text), Is.EqualTo(new[] { "r2", "a1", "r3" }));
            Assert.That(stats.Count, Is.EqualTo(3));
            Assert.That(stats.Appended, Is.EqualTo(5));
            Assert.That(stats.Removed, Is.EqualTo(2));
            Assert.That(stats.Bytes, Is.EqualTo(3 * (17 + 2)));
            Assert.That(stats.Dropped, Is.Zero);
        }
    }

    [Test]
    public async Task A_restart_keeps_what_was_not_removed_in_order_and_forgets_what_was([Values] OutboxFsyncPolicy policy)
    {
        var options = new OutboxOptions { FsyncPolicy = policy };
        using (var outbox = _folder.Open(options))
        {
            for (int i = 1; i <= 6; i++)
            {
                await outbox.AppendAsync(i % 3 == 0 ? TopicKind.Events : TopicKind.Telemetry, Payload($"m{i}"), CancellationToken.None);
            }

            await outbox.RemoveAsync(1, CancellationToken.None);
            await outbox.RemoveAsync(2, CancellationToken.None);
            await outbox.RemoveAsync(4, CancellationToken.None); // out of order: 3 was withheld (0x97) and waits for a retry
        }

        using (var reopened = _folder.Open(options))
        {
            IReadOnlyList<OutboxRecord> records = reopened.Peek(10);
            OutboxRecord next = await reopened.AppendAsync(TopicKind.Acks, Payload("a7"), CancellationToken.None);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(records.Select(r => (r.Id, Text(r))), Is.EqualTo(new[] { (3L, "m3"), (5L, "m5"), (6L, "m6") }));
                Assert.That(records[0].Kind, Is.EqualTo(TopicKind.Events));
                Assert.That(next.Id, Is.EqualTo(7), "ids go on after the highest one ever used");
                Assert.That(reopened.Stats.TornRecordsRepaired, Is.Zero);
            }
        }
    }

    [Test]
    public async Task When_everything_was_removed_the_files_go_and_ids_still_never_repeat()
    {
        var options = new OutboxOptions { SegmentBytes = 4096, MaxBytes = 64 * 1024, MaxRecordBytes = 1024 };
        using (var outbox = _folder.Open(options))
        {
            for (int i = 0; i < 100; i++)
            {
                OutboxRecord r = await outbox.AppendAsync(TopicKind.Telemetry, new byte[100], CancellationToken.None);
                await outbox.RemoveAsync(r.Id, CancellationToken.None);
            }

            Assert.That(_folder.Segments, Has.Length.LessThanOrEqualTo(1), "full removed segments are deleted");
        }

        using var reopened = _folder.Open(options);
        OutboxRecord first = await reopened.AppendAsync(TopicKind.Telemetry, new byte[1], CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.Stats.Count, Is.EqualTo(1));
            Assert.That(first.Id, Is.EqualTo(101));
        }
    }

    [Test]
    public async Task Segments_rotate_and_a_fully_removed_one_is_deleted()
    {
        var options = new OutboxOptions { SegmentBytes = 4096, MaxBytes = 1024 * 1024, MaxRecordBytes = 1024 };
        using var outbox = _folder.Open(options);
        var ids = new List<long>();
        for (int i = 0; i < 100; i++)
        {
            ids.Add((await outbox.AppendAsync(TopicKind.Telemetry, new byte[200], CancellationToken.None)).Id);
        }

        int before = _folder.Segments.Length;
        foreach (long id in ids.Take(50))
        {
            await outbox.RemoveAsync(id, CancellationToken.None);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.EqualTo(100 * 217 / 4096 + 1).Within(1));
            Assert.That(_folder.Segments, Has.Length.LessThan(before));
            Assert.That(outbox.Stats.Segments, Is.EqualTo(_folder.Segments.Length));
            Assert.That(outbox.Peek(1000).Select(r => r.Id), Is.EqualTo(ids.Skip(50)));
            Assert.That(_folder.Segments.Select(Path.GetFileName), Does.Not.Contain("00000000000000000001.seg"), "the first segment held only removed records");
        }
    }

    [Test]
    public async Task Grouped_writes_removals_within_the_interval_and_until_then_a_crash_sends_them_again()
    {
        var options = new OutboxOptions { FsyncPolicy = OutboxFsyncPolicy.Grouped, FsyncIntervalMilliseconds = 1000 };
        using var outbox = _folder.Open(options);
        for (int i = 0; i < 3; i++)
        {
            await outbox.AppendAsync(TopicKind.Telemetry, Payload($"r{i}"), CancellationToken.None);
        }

        await outbox.RemoveAsync(1, CancellationToken.None);
        using (var crashedNow = _folder.OpenSnapshot())
        {
            Assert.That(crashedNow.Peek(10).Select(r => r.Id), Is.EqualTo(new long[] { 1, 2, 3 }), "the removal is not on the disk yet: record 1 is sent once more");
        }

        _folder.Time.Advance(TimeSpan.FromMilliseconds(999));
        using (var stillNot = _folder.OpenSnapshot())
        {
            Assert.That(stillNot.Peek(10), Has.Count.EqualTo(3));
        }

        _folder.Time.Advance(TimeSpan.FromMilliseconds(1));
        using var crashedLater = _folder.OpenSnapshot();
        Assert.That(crashedLater.Peek(10).Select(r => r.Id), Is.EqualTo(new long[] { 2, 3 }));
    }

    [Test]
    public async Task Always_has_every_removal_on_the_disk_when_it_returns()
    {
        using var outbox = _folder.Open(new OutboxOptions { FsyncPolicy = OutboxFsyncPolicy.Always });
        await outbox.AppendAsync(TopicKind.Telemetry, Payload("r1"), CancellationToken.None);
        await outbox.AppendAsync(TopicKind.Telemetry, Payload("r2"), CancellationToken.None);
        await outbox.RemoveAsync(1, CancellationToken.None);
        using var crashed = _folder.OpenSnapshot();
        Assert.That(crashed.Peek(10).Select(Text), Is.EqualTo(new[] { "r2" }));
    }

    [Test]
    public async Task An_unreadable_cursor_sends_everything_on_disk_again_and_says_so()
    {
        using (var outbox = _folder.Open())
        {
            for (int i = 1; i <= 3; i++)
            {
                await outbox.AppendAsync(TopicKind.Telemetry, Payload($"r{i}"), CancellationToken.None);
            }

            await outbox.RemoveAsync(2, CancellationToken.None);
        }

        string cursor = Path.Combine(_folder.Path, "cursor");
        byte[] bytes = await File.ReadAllBytesAsync(cursor);
        bytes[^1] ^= 0x55;
        await File.WriteAllBytesAsync(cursor, bytes);
        using var reopened = _folder.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.Peek(10).Select(r => r.Id), Is.EqualTo(new long[] { 1, 2, 3 }));
            Assert.That(reopened.Stats.CursorResets, Is.EqualTo(1));
            Assert.That(_folder.Logger.Count(252), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Appended_wakes_the_sender()
    {
        using var outbox = _folder.Open();
        int raised = 0;
        outbox.Appended += () => raised++;
        await outbox.AppendAsync(TopicKind.Events, Payload("e"), CancellationToken.None);
        await outbox.AppendAsync(TopicKind.Telemetry, Payload("r"), CancellationToken.None);
        Assert.That(raised, Is.EqualTo(2));
    }

    [Test]
    public async Task Appends_and_removals_from_many_threads_lose_nothing_and_keep_ids_unique()
    {
        using var outbox = _folder.Open(new OutboxOptions { SegmentBytes = 16 * 1024, MaxRecordBytes = 1024 });
        using var stop = new CancellationTokenSource();
        var removed = new List<long>();
        Task sender = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested || outbox.Stats.Count > 0)
            {
                foreach (OutboxRecord r in outbox.Peek(7))
                {
                    await outbox.RemoveAsync(r.Id, CancellationToken.None);
                    removed.Add(r.Id);
                }

                await Task.Yield();
            }
        });
        Task<long[]>[] producers = [.. Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var ids = new long[300];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = (await outbox.AppendAsync((TopicKind)(p % 2), Payload($"{p}-{i}"), CancellationToken.None)).Id;
            }

            return ids;
        }))];
        long[] all = [.. (await Task.WhenAll(producers)).SelectMany(x => x)];
        await stop.CancelAsync();
        await sender;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(all, Is.Unique.And.Length.EqualTo(1200));
            Assert.That(removed, Is.EquivalentTo(all));
            Assert.That(removed, Is.Ordered, "the sender saw them oldest first");
            Assert.That(outbox.Stats.Removed, Is.EqualTo(1200));
        }
    }

    [Test]
    public async Task Only_queued_kinds_and_payloads_within_the_limit_are_taken()
    {
        using var outbox = _folder.Open(new OutboxOptions { MaxRecordBytes = 100 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await outbox.AppendAsync(TopicKind.Status, Payload("{}"), CancellationToken.None), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(async () => await outbox.AppendAsync(TopicKind.Commands, Payload("{}"), CancellationToken.None), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(async () => await outbox.AppendAsync(TopicKind.Telemetry, new byte[101], CancellationToken.None), Throws.ArgumentException.With.Message.Contains("Outbox:MaxRecordBytes"));
            Assert.That(await outbox.AppendAsync(TopicKind.Telemetry, new byte[100], CancellationToken.None), Has.Property(nameof(OutboxRecord.Id)).EqualTo(1));
            Assert.That(outbox.Stats.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public void One_folder_one_process_and_a_folder_that_cannot_be_used_is_a_clear_error()
    {
        using var outbox = _folder.Open();
        string file = Path.Combine(_folder.Path, "not-a-folder");
        File.WriteAllText(file, "x");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => _folder.Open(), Throws.TypeOf<IOException>().With.Message.Contains("open in another process"));
            Assert.That(() => Pi.Agent.Outbox.Outbox.Open(file, new OutboxOptions(), _folder.Time, _folder.Logger), Throws.InstanceOf<IOException>());
        }
    }

    [Test]
    public void Options_are_checked_and_each_problem_names_its_setting()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new OutboxOptions().Validate(), Is.Empty);
            Assert.That(new OutboxOptions { SegmentBytes = 32L * 1024 * 1024 }.Validate(), Has.One.Contains("Outbox:SegmentBytes"));
            Assert.That(new OutboxOptions { MaxRecordBytes = 2 * 1024 * 1024 }.Validate(), Has.One.Contains("Outbox:MaxRecordBytes"));
            Assert.That(new OutboxOptions { FsyncIntervalMilliseconds = 0 }.Validate(), Has.One.Contains("Outbox:FsyncIntervalMilliseconds"));
            Assert.That(new OutboxOptions { MaxBytes = 1000 }.Validate(), Has.Some.Contains("Outbox:MaxBytes"));
            Assert.That(new OutboxOptions { SeqBlockSize = 0 }.Validate(), Has.One.Contains("Outbox:SeqBlockSize"));
            Assert.That(new OutboxOptions { FsyncPolicy = (OutboxFsyncPolicy)7 }.Validate(), Has.One.Contains("Outbox:FsyncPolicy"));
            Assert.That(() => _folder.Open(new OutboxOptions { FsyncIntervalMilliseconds = -1 }), Throws.ArgumentException.With.Message.Contains("Outbox:FsyncIntervalMilliseconds"));
        }
    }

    [Test]
    public async Task The_open_log_says_what_waits_and_nothing_logs_an_error()
    {
        using (var outbox = _folder.Open())
        {
            await outbox.AppendAsync(TopicKind.Telemetry, Payload("r"), CancellationToken.None);
        }

        using var reopened = _folder.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_folder.Logger.Entries.Where(e => e.Id.Id == 250).Select(e => e.Message).Last(), Does.Contain("1 record(s) to send"));
            Assert.That(_folder.Logger.Errors, Is.Empty);
            Assert.That(_folder.Logger.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
        }
    }
}

using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Outbox;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

/// <summary>What a crash mid-append leaves: the record being written is cut somewhere or followed by junk. The CRC catches it at open.</summary>
[TestFixture]
public sealed class OutboxTornTailTests
{
    private OutboxFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new OutboxFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    // Three records; returns the segment file's bytes and where the last record starts.
    private async Task<(byte[] File, int LastStart)> WriteThreeAsync()
    {
        using (var outbox = _folder.Open(new OutboxOptions { FsyncPolicy = OutboxFsyncPolicy.None }))
        {
            await outbox.AppendAsync(TopicKind.Telemetry, Encoding.UTF8.GetBytes("{\"seq\":1}"), CancellationToken.None);
            await outbox.AppendAsync(TopicKind.Events, Encoding.UTF8.GetBytes("{\"seq\":2,\"type\":\"boot\"}"), CancellationToken.None);
            await outbox.AppendAsync(TopicKind.Telemetry, Encoding.UTF8.GetBytes("{\"seq\":3,\"lat\":39.9}"), CancellationToken.None);
        }

        byte[] file = await File.ReadAllBytesAsync(_folder.Segments.Single());
        int lastStart = file.Length - (8 + 9 + "{\"seq\":3,\"lat\":39.9}".Length);
        return (file, lastStart);
    }

    private async Task<(IReadOnlyList<OutboxRecord> Records, OutboxStats Stats, long FileLength, OutboxRecord Next)> ReopenWithAsync(byte[] segment)
    {
        string path = _folder.Segments.Single();
        await File.WriteAllBytesAsync(path, segment);
        using var outbox = _folder.Open();
        IReadOnlyList<OutboxRecord> records = outbox.Peek(10);
        OutboxStats stats = outbox.Stats;
        long length = new FileInfo(path).Length;
        OutboxRecord next = await outbox.AppendAsync(TopicKind.Telemetry, Encoding.UTF8.GetBytes("after"), CancellationToken.None);
        return (records, stats, length, next);
    }

    [Test]
    public async Task A_last_record_cut_at_every_byte_is_cut_off_and_counted_and_the_ones_before_it_stay()
    {
        (byte[] file, int lastStart) = await WriteThreeAsync();
        for (int cut = lastStart + 1; cut < file.Length; cut++)
        {
            _folder.Logger.Entries.Clear();
            (IReadOnlyList<OutboxRecord> records, OutboxStats stats, long length, OutboxRecord next) = await ReopenWithAsync(file[..cut]);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(records.Select(r => Encoding.UTF8.GetString(r.Payload)), Is.EqualTo(new[] { "{\"seq\":1}", "{\"seq\":2,\"type\":\"boot\"}" }), $"cut at {cut}");
                Assert.That(stats.TornRecordsRepaired, Is.EqualTo(1), $"cut at {cut}");
                Assert.That(stats.TornBytesCut, Is.EqualTo(cut - lastStart), $"cut at {cut}");
                Assert.That(length, Is.EqualTo(lastStart), $"cut at {cut}: the file is cut back to the last good record");
                Assert.That(_folder.Logger.Count(251), Is.EqualTo(1), $"cut at {cut}");
                Assert.That(next.Id, Is.EqualTo(3), "nothing after the cut was kept, so the next append takes the torn record's id");
            }

            // Back to the three good records for the next cut: drop what the reopened outbox appended.
            foreach (string segment in _folder.Segments)
            {
                File.Delete(segment);
            }

            File.Delete(Path.Combine(_folder.Path, "cursor"));
            await File.WriteAllBytesAsync(Path.Combine(_folder.Path, "00000000000000000001.seg"), file);
        }
    }

    [Test]
    public async Task A_cut_exactly_between_records_is_no_torn_record()
    {
        (byte[] file, int lastStart) = await WriteThreeAsync();
        (IReadOnlyList<OutboxRecord> records, OutboxStats stats, _, _) = await ReopenWithAsync(file[..lastStart]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(records, Has.Count.EqualTo(2));
            Assert.That(stats.TornRecordsRepaired, Is.Zero);
        }
    }

    [TestCase("garbage", TestName = "Garbage after the last record")]
    [TestCase("zeros", TestName = "Zeros after the last record (a file extended but never written)")]
    [TestCase("flipped", TestName = "A flipped bit in the last record's payload")]
    [TestCase("length", TestName = "A last record whose length says more than the file holds")]
    public async Task Bad_bytes_at_the_tail_are_caught_by_the_CRC_and_nothing_before_them_is_lost(string damage)
    {
        (byte[] file, int lastStart) = await WriteThreeAsync();
        byte[] damaged = damage switch
        {
            "garbage" => [.. file, .. RandomBytes(4096)],
            "zeros" => [.. file, .. new byte[4096]],
            "flipped" => Flip(file, file.Length - 3),
            _ => Flip(file, lastStart + 1),
        };
        (IReadOnlyList<OutboxRecord> records, OutboxStats stats, long length, _) = await ReopenWithAsync(damaged);
        int expected = damage is "garbage" or "zeros" ? 3 : 2;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(records.Select(r => r.Id), Is.EqualTo(Enumerable.Range(1, expected).Select(i => (long)i)));
            Assert.That(stats.TornRecordsRepaired, Is.EqualTo(1));
            Assert.That(length, Is.EqualTo(expected == 3 ? file.Length : lastStart));
        }
    }

    [Test]
    public async Task A_torn_tail_in_an_older_segment_costs_only_that_segment_tail()
    {
        var options = new OutboxOptions { SegmentBytes = 4096, MaxRecordBytes = 1024, FsyncPolicy = OutboxFsyncPolicy.None };
        using (var outbox = _folder.Open(options))
        {
            for (int i = 0; i < 30; i++)
            {
                await outbox.AppendAsync(TopicKind.Telemetry, new byte[500], CancellationToken.None);
            }
        }

        string[] segments = _folder.Segments;
        Assert.That(segments, Has.Length.GreaterThanOrEqualTo(3));
        byte[] first = await File.ReadAllBytesAsync(segments[0]);
        await File.WriteAllBytesAsync(segments[0], first[..^10]);
        using var reopened = _folder.Open(options);
        long[] ids = [.. reopened.Peek(100).Select(r => r.Id)];
        int perSegment = first.Length / (8 + 9 + 500);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Has.Length.EqualTo(29));
            Assert.That(ids, Does.Not.Contain((long)perSegment), "the torn one");
            Assert.That(ids, Is.Ordered.And.Unique);
            Assert.That(reopened.Stats.TornRecordsRepaired, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_segment_with_nothing_good_left_is_deleted_and_stray_temporary_files_go()
    {
        await File.WriteAllBytesAsync(Path.Combine(_folder.Path, "00000000000000000001.seg"), RandomBytes(100));
        await File.WriteAllBytesAsync(Path.Combine(_folder.Path, "00000000000000000001.seg.tmp"), RandomBytes(100));
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "README"), "not ours: left alone");
        using var outbox = _folder.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outbox.Stats.Count, Is.Zero);
            Assert.That(outbox.Stats.TornRecordsRepaired, Is.EqualTo(1));
            Assert.That(_folder.Segments, Is.Empty);
            Assert.That(File.Exists(Path.Combine(_folder.Path, "00000000000000000001.seg.tmp")), Is.False);
            Assert.That(File.Exists(Path.Combine(_folder.Path, "README")), Is.True);
        }
    }

    [Test]
    public async Task A_record_the_card_changed_after_open_fails_its_CRC_when_read_and_is_dropped_not_sent()
    {
        using var outbox = _folder.Open();
        await outbox.AppendAsync(TopicKind.Telemetry, Encoding.UTF8.GetBytes("one"), CancellationToken.None);
        await outbox.AppendAsync(TopicKind.Telemetry, Encoding.UTF8.GetBytes("two"), CancellationToken.None);
        await using (var stream = new FileStream(_folder.Segments.Single(), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Position = 8 + 9;
            stream.WriteByte((byte)'X');
        }

        IReadOnlyList<OutboxRecord> records = outbox.Peek(10);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(records.Select(r => Encoding.UTF8.GetString(r.Payload)), Is.EqualTo(new[] { "two" }));
            Assert.That(outbox.Stats.TornRecordsRepaired, Is.EqualTo(1));
            Assert.That(outbox.Stats.Count, Is.EqualTo(1));
            Assert.That(_folder.Logger.Count(251), Is.EqualTo(1));
        }
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Flip(byte[] file, int at)
    {
        byte[] copy = [.. file];
        copy[at] ^= 0x10;
        return copy;
    }
}

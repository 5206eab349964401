using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using IoTPlatform.LockController.Pi.Agent.Outbox;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

/// <summary>
/// A real <c>kill -9</c>: the outbox and the seq counter run in a child process (<c>outbox soak</c>) appending in a
/// tight loop, and are killed with SIGKILL at whatever instruction they are at. What they leave must open cleanly.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class KillTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "outbox-kill", Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [GeneratedRegex("^\\{\"seq\":(\\d+),")]
    private static partial Regex SeqField();

    private static long SeqOf(OutboxRecord record) =>
        long.Parse(SeqField().Match(Encoding.UTF8.GetString(record.Payload, 0, Math.Min(64, record.Payload.Length))).Groups[1].Value, CultureInfo.InvariantCulture);

    // Whether the newest segment file ends inside a record (by the lengths alone, as a kill leaves it).
    private static bool EndsInsideARecord(string directory)
    {
        string? newest = Directory.EnumerateFiles(directory, "*.seg").Order(StringComparer.Ordinal).LastOrDefault();
        if (newest is null)
        {
            return false;
        }

        byte[] bytes = File.ReadAllBytes(newest);
        long offset = 0;
        while (offset + 8 <= bytes.Length)
        {
            long next = offset + 8 + BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)offset));
            if (next > bytes.Length)
            {
                break;
            }

            offset = next;
        }

        return offset != bytes.Length;
    }

    private const int PayloadBytes = 4 * 1024 * 1024;
    private const long RecordBytes = 8 + 9 + PayloadBytes;

    private static long NewestSegmentLength(string directory)
    {
        try
        {
            string? newest = Directory.EnumerateFiles(directory, "*.seg").Order(StringComparer.Ordinal).LastOrDefault();
            return newest is null ? long.MaxValue : new FileInfo(newest).Length;
        }
        catch (IOException)
        {
            return long.MaxValue;
        }
    }

    [Test]
    public async Task Kill_9_mid_append_leaves_a_torn_tail_that_the_CRC_catches_and_nothing_appended_before_is_lost()
    {
        // Records of 4 MiB: the kernel copies a write a piece at a time and a SIGKILL stops it between pieces, so a
        // kill during the write leaves part of the record. Kill until that happened (and at least four times).
        int attempts = 0, torn = 0;
        var outcomes = new List<string>();
        while (attempts < 40 && (torn == 0 || attempts < 4))
        {
            attempts++;
            string directory = Path.Combine(_root, $"kill-{attempts}");
            IReadOnlyList<(long Id, long Seq)> printed;
            using (var soak = new SoakProcess(directory, "--record-bytes", PayloadBytes.ToString(CultureInfo.InvariantCulture), "--fsync", "none"))
            {
                await soak.WaitForAppendsAsync(2 + (attempts % 3));

                // Every other kill waits until the newest segment is shorter than a record: the child is writing it, or
                // about to. The others land wherever the child happens to be.
                printed = attempts % 2 == 0
                    ? await soak.KillWhenAsync(() => NewestSegmentLength(directory) < RecordBytes)
                    : await soak.KillAsync();
            }

            bool tornOnDisk = EndsInsideARecord(directory);
            var logger = new RecordingLogger<Pi.Agent.Outbox.Outbox>();
            using (var outbox = Pi.Agent.Outbox.Outbox.Open(directory, new OutboxOptions(), new FakeTimeProvider(), logger))
            {
                IReadOnlyList<OutboxRecord> records = outbox.Peek(int.MaxValue);
                OutboxStats stats = outbox.Stats;
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(records.Select(r => r.Id), Is.EqualTo(Enumerable.Range(1, records.Count).Select(i => (long)i)), $"kill {attempts}: ids 1..n without a gap");
                    Assert.That(records.Count, Is.GreaterThanOrEqualTo(printed[^1].Id), $"kill {attempts}: every append that returned is there");
                    Assert.That(records.Count, Is.LessThanOrEqualTo(printed[^1].Id + 1), $"kill {attempts}: at most the one being appended besides");
                    Assert.That(records.Select(SeqOf), Is.EqualTo(records.Select(r => r.Id)), $"kill {attempts}: each record whole (its seq is its id)");
                    Assert.That(records.All(r => r.Payload.Length == PayloadBytes), Is.True, $"kill {attempts}: no short payload");
                    Assert.That(stats.TornRecordsRepaired, Is.EqualTo(tornOnDisk ? 1 : 0), $"kill {attempts}: the torn tail on disk is counted");
                    Assert.That(logger.Count(251), Is.EqualTo(tornOnDisk ? 1 : 0), $"kill {attempts}: and logged");
                }
            }

            Assert.That(EndsInsideARecord(directory), Is.False, "repaired on disk");
            torn += tornOnDisk ? 1 : 0;
            outcomes.Add(tornOnDisk ? "torn" : "clean");
            Directory.Delete(directory, recursive: true);
        }

        TestContext.Out.WriteLine($"{attempts} kills: {string.Join(", ", outcomes)}");
        Assert.That(torn, Is.Positive, $"none of {attempts} kills landed inside a record");
    }

    [Test]
    public async Task Kill_9_while_reserving_seq_blocks_never_makes_a_value_repeat()
    {
        // Block size 1: every value is a reservation (write, fsync, rename, fsync of the folder), so the kills land in one.
        string seqFile = Path.Combine(_root, "seq");
        long highest = 0;
        for (int kill = 1; kill <= 6; kill++)
        {
            string directory = Path.Combine(_root, $"outbox-{kill}");
            IReadOnlyList<(long Id, long Seq)> printed;
            using (var soak = new SoakProcess(directory, "--record-bytes", "40", "--fsync", "none", "--seq", seqFile, "--seq-block", "1"))
            {
                await soak.WaitForAppendsAsync(3 * kill);
                printed = await soak.KillAsync();
            }

            long inOutbox;
            using (var outbox = Pi.Agent.Outbox.Outbox.Open(directory, new OutboxOptions(), new FakeTimeProvider(), new RecordingLogger<Pi.Agent.Outbox.Outbox>()))
            {
                inOutbox = outbox.Peek(int.MaxValue).Max(SeqOf);
            }

            var logger = new RecordingLogger<SeqCounter>();
            using var counter = SeqCounter.Open(seqFile, 1, logger);
            long next = counter.Next();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(printed.Select(p => p.Seq), Is.Ordered.And.Unique);
                Assert.That(printed[0].Seq, Is.GreaterThan(highest), $"kill {kill}: the child went on above everything before");
                Assert.That(next, Is.GreaterThan(Math.Max(printed[^1].Seq, inOutbox)), $"kill {kill}: after the kill, above every value handed out");
                Assert.That(logger.Errors, Is.Empty);
            }

            highest = next;
        }
    }
}

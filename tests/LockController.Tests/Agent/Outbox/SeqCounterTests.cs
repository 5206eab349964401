using System.CommandLine;
using System.Globalization;
using IoTPlatform.LockController.Pi.Agent.Outbox;
using IoTPlatform.LockController.Pi.Cli;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

/// <summary>The seq counter: monotonic across restarts, the bound on disk before a value of its block is out, a corrupt file refused.</summary>
[TestFixture]
public sealed class SeqCounterTests
{
    private string _directory = null!;
    private string _path = null!;
    private RecordingLogger<SeqCounter> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "seq-tests", Guid.NewGuid().ToString("N"));
        _path = Path.Combine(_directory, "seq");
        _logger = new RecordingLogger<SeqCounter>();
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static async Task<(int Exit, string Out, string Err)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int exit = await CommandLineApp.CreateRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public void A_first_start_counts_from_one_and_the_block_bound_is_on_disk_before_its_first_value()
    {
        using var counter = SeqCounter.Open(_path, 10, _logger);
        Assert.That(File.Exists(_path), Is.False, "nothing reserved before the first value");
        long first = counter.Next();
        SeqFileState afterFirst = SeqCounter.TryRead(_path, out long bound, out _);
        long[] rest = [.. Enumerable.Range(0, 10).Select(_ => counter.Next())];
        SeqCounter.TryRead(_path, out long bound2, out _);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(1));
            Assert.That(afterFirst, Is.EqualTo(SeqFileState.Good));
            Assert.That(bound, Is.EqualTo(11));
            Assert.That(rest, Is.EqualTo(Enumerable.Range(2, 10).Select(i => (long)i)));
            Assert.That(bound2, Is.EqualTo(21), "the 11th value opened a new block, written first");
            Assert.That(_logger.Count(261), Is.EqualTo(1), "a fresh start is logged");
        }
    }

    [Test]
    public void Values_never_repeat_across_restarts_the_rest_of_a_block_is_skipped()
    {
        var random = new Random(8);
        var seen = new List<long>();
        for (int restart = 0; restart < 25; restart++)
        {
            using var counter = SeqCounter.Open(_path, 1 + random.Next(20), _logger);
            int take = random.Next(0, 40);
            for (int i = 0; i < take; i++)
            {
                seen.Add(counter.Next());
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.Ordered.Ascending.And.Unique);
            Assert.That(seen, Has.Count.GreaterThan(300));
        }
    }

    [Test]
    public void After_a_restart_counting_resumes_at_the_persisted_bound()
    {
        using (var counter = SeqCounter.Open(_path, 100, _logger))
        {
            counter.Next();
            counter.Next();
        }

        using var reopened = SeqCounter.Open(_path, 100, _logger);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.Next(), Is.EqualTo(101));
            Assert.That(reopened.ReservedBound, Is.EqualTo(201));
        }
    }

    [TestCase("", TestName = "An empty seq file is refused")]
    [TestCase("seq-bound 500 crc32 00000000\n", TestName = "A seq file with a wrong CRC is refused")]
    [TestCase("seq-bound -5 crc32 00000000\n", TestName = "A seq file with a negative bound is refused")]
    [TestCase("\u0000\u0000\u0000\u0000\u0000\u0000", TestName = "A seq file of zeros is refused")]
    [TestCase("hello", TestName = "A seq file of something else is refused")]
    public void A_corrupt_file_is_refused_with_the_way_to_recover(string content)
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(_path, content);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                () => SeqCounter.Open(_path, 10, _logger),
                Throws.TypeOf<InvalidDataException>().With.Message.Contains("Refusing to start").And.Message.Contains("/api/devices/{id}/latest").And.Message.Contains("outbox seq"));
            Assert.That(_logger.Entries.Count(e => e.Id.Id == 263 && e.Level == LogLevel.Critical), Is.EqualTo(1));
            Assert.That(File.ReadAllText(_path), Is.EqualTo(content), "left as it was for the operator");
        }

        using var afterRefusal = SeqCounter.Open(_path + "-other", 10, _logger);
        Assert.That(afterRefusal.Next(), Is.EqualTo(1), "the refused open released its lock and nothing else");
    }

    [Test]
    public void One_counter_per_file_at_a_time()
    {
        using var counter = SeqCounter.Open(_path, 10, _logger);
        Assert.That(() => SeqCounter.Open(_path, 10, _logger), Throws.TypeOf<IOException>().With.Message.Contains("open in another process"));
    }

    [Test]
    public async Task The_outbox_seq_command_reads_and_sets_the_file_and_will_not_lower_it_by_accident()
    {
        (int missing, string missingOut, _) = await InvokeAsync("outbox", "seq", _path);
        using (var counter = SeqCounter.Open(_path, 10, _logger))
        {
            counter.Next();
        }

        (int read, string readOut, _) = await InvokeAsync("outbox", "seq", _path);
        (int lower, _, string lowerErr) = await InvokeAsync("outbox", "seq", _path, "--set", "5");
        (int raise, string raiseOut, _) = await InvokeAsync("outbox", "seq", _path, "--set", "5000");
        using (var counter = SeqCounter.Open(_path, 10, _logger))
        {
            Assert.That(counter.Next(), Is.EqualTo(5000));
        }

        await File.WriteAllTextAsync(_path, "garbage");
        (int corrupt, _, string corruptErr) = await InvokeAsync("outbox", "seq", _path);
        (int repaired, _, _) = await InvokeAsync("outbox", "seq", _path, "--set", "7000");
        using (var counter = SeqCounter.Open(_path, 10, _logger))
        {
            Assert.That(counter.Next(), Is.EqualTo(7000));
        }

        (int forced, _, _) = await InvokeAsync("outbox", "seq", _path, "--set", "3", "--force");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((missing, missingOut), Is.EqualTo((0, $"{_path}: missing; the controller would start at 1\n")));
            Assert.That((read, readOut), Is.EqualTo((0, $"{_path}: bound 11; the controller resumes at 11\n")));
            Assert.That(lower, Is.EqualTo(2));
            Assert.That(lowerErr, Does.Contain("below the bound 11"));
            Assert.That((raise, raiseOut), Is.EqualTo((0, $"{_path}: bound 5000; the controller resumes at 5000\n")));
            Assert.That(corrupt, Is.EqualTo(1));
            Assert.That(corruptErr, Does.Contain("corrupt"));
            Assert.That(repaired, Is.Zero);
            Assert.That(forced, Is.Zero);
            Assert.That(SeqCounter.TryRead(_path, out long bound, out _), Is.EqualTo(SeqFileState.Good));
            Assert.That(bound, Is.EqualTo(3));
        }
    }

    [Test]
    public void Setting_the_file_while_a_counter_has_it_open_is_refused()
    {
        using var counter = SeqCounter.Open(_path, 10, _logger);
        Assert.That(() => SeqCounter.Set(_path, 100), Throws.TypeOf<IOException>().With.Message.Contains("stop it first"));
    }
}

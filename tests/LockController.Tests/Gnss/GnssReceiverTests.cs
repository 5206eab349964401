using System.Text;
using IoTPlatform.LockController.Pi.Gnss;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>The receiver's reconnect policy on a scripted device, with fake time (no sleeps).</summary>
[TestFixture]
public sealed class GnssReceiverTests
{
    private static readonly int[] ExpectedGapSeconds = [1, 2, 3, 1, 1];
    private static readonly int[] ExpectedFixSeconds = [0, 1, 2, 0, 1, 2];
    private static readonly byte[] Epochs = Encoding.ASCII.GetBytes(string.Concat(
        Enumerable.Range(0, 3).Select(i => Nmea.Sentence($"GPGGA,12000{i}.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") + "\r\n"
            + Nmea.Sentence($"GPRMC,12000{i}.00,A,4807.038,N,01131.000,E,0.0,0.0,010120,,,A") + "\r\n")));

    [Test]
    public async Task A_missing_device_is_retried_with_doubling_delays_and_read_when_it_appears()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        // Absent three times, then a device that sends three epochs and fails (unplugged), absent once, then back.
        var device = new ScriptedConnection(time,
            null, null, null,
            () => new FailingStream(Epochs),
            null,
            () => new FailingStream(Epochs));
        var options = new GnssOptions { ReconnectDelay = TimeSpan.FromSeconds(1), MaxReconnectDelay = TimeSpan.FromSeconds(3) };
        var logger = new RecordingLogger<GnssReceiver>();
        var receiver = new GnssReceiver(device, options, time, logger);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var fixes = new List<GnssFix>();
        Task reading = CollectAsync(receiver, fixes, cts.Token);
        bool done = await Eventually.HoldsAsync(() => { lock (fixes) return fixes.Count == 6; }, TimeSpan.FromSeconds(20),
            between: () => time.Advance(TimeSpan.FromMilliseconds(250)));
        await cts.CancelAsync();
        Assert.That(async () => await reading, Throws.InstanceOf<OperationCanceledException>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(done, Is.True, $"6 fixes, got {fixes.Count}");
            Assert.That(receiver.Opens, Is.EqualTo(2));
            // Waits between attempts: 1 s, 2 s, 3 s (capped), then open; after the loss 1 s, fail, 1 s… (reset after a good open).
            TimeSpan[] gaps = device.AttemptTimes.Zip(device.AttemptTimes.Skip(1), (a, b) => b - a).ToArray();
            Assert.That(gaps.Take(5), Is.EqualTo(ExpectedGapSeconds.Select(s => TimeSpan.FromSeconds(s))).Using<TimeSpan>((a, b) => Math.Abs((a - b).TotalMilliseconds) <= 250));
            Assert.That(logger.Count(101), Is.EqualTo(4), "failed opens logged");
            Assert.That(logger.Count(102), Is.EqualTo(2), "losses logged");
            Assert.That(logger.Errors, Is.Empty);
            Assert.That(fixes.Select(f => f.TimeOfDay.Seconds), Is.EqualTo(ExpectedFixSeconds));
        }
    }

    [Test]
    public async Task A_file_is_read_to_its_end_and_the_sequence_ends()
    {
        var receiver = new GnssReceiver(new FileGnssConnection(TestData.Nmea("mt3339.log"), 9600, 0, TimeProvider.System),
            new GnssOptions(), TimeProvider.System, new RecordingLogger<GnssReceiver>());
        var fixes = new List<GnssFix>();
        await foreach (GnssFix fix in receiver.ReadFixesAsync())
            fixes.Add(fix);
        Assert.That(fixes, Is.EqualTo(CaptureDecoding.Decode(TestData.Nmea("mt3339.log")).Fixes).And.Count.EqualTo(30));
    }

    [Test]
    public async Task A_paced_file_replays_at_the_serial_byte_rate_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, Epochs);
            // 9600 baud ≈ 960 bytes/s: the whole file takes Epochs.Length / 960 s of (fake) time.
            var options = new GnssOptions { File = path, Baud = 9600, Speed = 1 };
            var receiver = new GnssReceiver(options.CreateConnection(time), options, time, new RecordingLogger<GnssReceiver>());
            DateTimeOffset start = time.GetUtcNow();
            var fixes = new List<GnssFix>();
            Task reading = Task.Run(async () =>
            {
                await foreach (GnssFix fix in receiver.ReadFixesAsync())
                {
                    lock (fixes)
                        fixes.Add(fix);
                }
            });
            Assert.That(await Eventually.HoldsAsync(() => reading.IsCompleted, TimeSpan.FromSeconds(20), () => time.Advance(TimeSpan.FromMilliseconds(10))), Is.True);
            await reading;
            double expectedSeconds = Epochs.Length / 960.0;
            Assert.That((time.GetUtcNow() - start).TotalSeconds, Is.EqualTo(expectedSeconds).Within(0.1));
            Assert.That(fixes, Has.Count.EqualTo(3));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task A_device_that_vanishes_while_its_read_hangs_is_noticed_by_its_presence_check()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var hanging = new HangingStream(Epochs);
        var device = new VanishingConnection(hanging);
        var options = new GnssOptions { ReconnectDelay = TimeSpan.FromSeconds(1), PresenceCheckInterval = TimeSpan.FromSeconds(1) };
        var logger = new RecordingLogger<GnssReceiver>();
        var receiver = new GnssReceiver(device, options, time, logger);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var fixes = new List<GnssFix>();
        Task reading = CollectAsync(receiver, fixes, cts.Token);

        // All bytes read; the last epoch waits for the next one, and the read now hangs, cancellation or not.
        Assert.That(await Eventually.HoldsAsync(() => hanging.Hung && fixes.Count == 2, TimeSpan.FromSeconds(10)), Is.True, "two epochs, then a hung read");
        device.Present = false;
        bool noticed = await Eventually.HoldsAsync(() => logger.Count(102) == 1, TimeSpan.FromSeconds(10),
            between: () => time.Advance(TimeSpan.FromMilliseconds(250)));
        await cts.CancelAsync();
        Assert.That(async () => await reading, Throws.InstanceOf<OperationCanceledException>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(noticed, Is.True, "the loss is noticed although the read never ends");
            Assert.That(fixes, Has.Count.EqualTo(3), "the last epoch is completed when the device goes");
            Assert.That(logger.Errors, Is.Empty);
        }
    }

    /// <summary>Reads fixes into <paramref name="fixes"/> (locked) in the background until cancelled.</summary>
    private static Task CollectAsync(GnssReceiver receiver, List<GnssFix> fixes, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            await foreach (GnssFix fix in receiver.ReadFixesAsync(cancellationToken))
            {
                lock (fixes)
                    fixes.Add(fix);
            }
        }, CancellationToken.None);

    /// <summary>A device that is absent (null) or present (a stream factory) at each open, in order; then absent.</summary>
    private sealed class ScriptedConnection(TimeProvider time, params Func<Stream>?[] script) : IGnssConnection
    {
        private int _next;

        public List<DateTimeOffset> AttemptTimes { get; } = [];

        public string Description => "scripted device";

        public bool EndsAtEndOfStream => false;

        public Stream Open()
        {
            AttemptTimes.Add(time.GetUtcNow());
            Func<Stream>? step = _next < script.Length ? script[_next] : null;
            _next++;
            return step?.Invoke() ?? throw new FileNotFoundException("no such device", "/dev/ttyACM0");
        }
    }

    /// <summary>Gives its bytes in small reads, then fails as an unplugged USB device does.</summary>
    private sealed class FailingStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? base.ReadAsync(buffer[..Math.Min(buffer.Length, 37)], cancellationToken)
                : ValueTask.FromException<int>(new IOException("Input/output error"));
    }

    /// <summary>Opens <paramref name="stream"/> while present; vanishes when told (its node disappears).</summary>
    private sealed class VanishingConnection(Stream stream) : IGnssConnection
    {
        public volatile bool Present = true;

        public string Description => "vanishing device";

        public bool EndsAtEndOfStream => false;

        public Stream Open() => Present ? stream : throw new FileNotFoundException("no such device", "/dev/ttyUSB0");

        public bool IsPresent() => Present;
    }

    /// <summary>Gives its bytes, then a read that never completes and ignores cancellation (as some serial drivers do).</summary>
    private sealed class HangingStream(byte[] data) : MemoryStream(data)
    {
        private volatile bool _hung;

        public bool Hung => _hung;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position < Length)
            {
                return base.ReadAsync(buffer[..Math.Min(buffer.Length, 37)], cancellationToken);
            }

            _hung = true;
            return new ValueTask<int>(new TaskCompletionSource<int>().Task);
        }
    }
}

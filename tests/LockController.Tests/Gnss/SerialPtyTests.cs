using System.Threading.Channels;
using IoTPlatform.LockController.Pi.Gnss;
using IoTPlatform.LockController.Tests.Support;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>
/// The serial source on a real pty (socat): NMEA written into one end comes out of the other as fixes,
/// through System.IO.Ports; killing socat makes the device disappear, and the receiver reopens it when it is back.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SerialPtyTests
{
    private string _directory = "";

    [SetUp]
    public void SetUp()
    {
        Socat.RequireOrIgnore();
        _directory = Directory.CreateTempSubdirectory("gnss-pty-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory.Length > 0)
            Directory.Delete(_directory, recursive: true);
        _directory = "";
    }

    [Test]
    public async Task Nmea_written_into_a_pty_comes_out_as_the_same_fixes_as_from_the_file()
    {
        using Socat socat = await Socat.StartAsync(_directory);
        var logger = new RecordingLogger<GnssReceiver>();
        var receiver = new GnssReceiver(new SerialGnssConnection(socat.DevicePath, 9600), new GnssOptions(), TimeProvider.System, logger);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Channel<GnssFix> fixes = Collect(receiver, cts.Token, out Task reading);
        Assert.That(await Eventually.HoldsAsync(() => receiver.Opens == 1, TimeSpan.FromSeconds(10)), Is.True, "receiver opened the pty");

        byte[] capture = await File.ReadAllBytesAsync(TestData.Nmea("bu353s4.log"));
        await socat.FeedAsync(capture);
        // A live stream completes an epoch when the next begins: all but the last of the 25 come out now.
        List<GnssFix> expected = CaptureDecoding.Decode(TestData.Nmea("bu353s4.log")).Fixes;
        List<GnssFix> got = await TakeAsync(fixes.Reader, expected.Count - 1, cts.Token);

        await cts.CancelAsync();
        Assert.That(async () => await reading, Throws.InstanceOf<OperationCanceledException>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(got, Is.EqualTo(expected.Take(expected.Count - 1)));
            Assert.That(receiver.Statistics.RejectedFor(NmeaError.Comment), Is.EqualTo(6));
            Assert.That(logger.Errors, Is.Empty);
        }
    }

    [Test]
    public async Task When_the_device_disappears_the_receiver_keeps_trying_and_reads_it_again_when_it_is_back()
    {
        Socat socat = await Socat.StartAsync(_directory);
        var logger = new RecordingLogger<GnssReceiver>();
        var options = new GnssOptions
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            PresenceCheckInterval = TimeSpan.FromMilliseconds(100),
        };
        var receiver = new GnssReceiver(new SerialGnssConnection(socat.DevicePath, 9600), options, TimeProvider.System, logger);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Channel<GnssFix> fixes = Collect(receiver, cts.Token, out Task reading);
        try
        {
            Assert.That(await Eventually.HoldsAsync(() => receiver.Opens == 1, TimeSpan.FromSeconds(10)), Is.True, "first open");
            await socat.FeedAsync(await File.ReadAllBytesAsync(TestData.Nmea("bu353s4.log")));
            List<GnssFix> first = await TakeAsync(fixes.Reader, 24, cts.Token);

            // Pull the plug only once every sentence went through: an epoch cut short gives no fix (by design).
            long sentences = CaptureDecoding.Decode(TestData.Nmea("bu353s4.log")).Statistics.Accepted;
            Assert.That(await Eventually.HoldsAsync(() => receiver.Statistics.Accepted == sentences, TimeSpan.FromSeconds(10)), Is.True, "the whole capture was read");
            await socat.KillAsync();
            socat.Dispose();
            // Gone: the last epoch is completed with what it had, and opening fails until the device is back.
            List<GnssFix> last = await TakeAsync(fixes.Reader, 1, cts.Token);
            Assert.That(await Eventually.HoldsAsync(() => logger.Count(101) >= 2, TimeSpan.FromSeconds(20)), Is.True, "failed opens while the device is gone");

            socat = await Socat.StartAsync(_directory);
            Assert.That(await Eventually.HoldsAsync(() => receiver.Opens == 2, TimeSpan.FromSeconds(20)), Is.True, "reopened");
            await socat.FeedAsync(await File.ReadAllBytesAsync(TestData.Nmea("mt3339.log")));
            List<GnssFix> second = await TakeAsync(fixes.Reader, 29, cts.Token);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(first[0].Time, Is.EqualTo(new DateTimeOffset(2014, 12, 31, 3, 7, 19, TimeSpan.Zero)));
                Assert.That(last[0].TimeOfDay, Is.EqualTo(new TimeSpan(3, 7, 43)), "bu353s4's 25th and last epoch");
                Assert.That(second, Is.EqualTo(CaptureDecoding.Decode(TestData.Nmea("mt3339.log")).Fixes.Take(29)));
                Assert.That(logger.Count(102), Is.EqualTo(1), "one 'went away'");
                Assert.That(logger.Errors, Is.Empty);
            }
        }
        finally
        {
            await cts.CancelAsync();
            socat.Dispose();
            try
            {
                await reading;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static Channel<GnssFix> Collect(GnssReceiver receiver, CancellationToken cancellationToken, out Task reading)
    {
        var channel = Channel.CreateUnbounded<GnssFix>();
        reading = Task.Run(async () =>
        {
            await foreach (GnssFix fix in receiver.ReadFixesAsync(cancellationToken))
                await channel.Writer.WriteAsync(fix, cancellationToken);
        }, CancellationToken.None);
        return channel;
    }

    private static async Task<List<GnssFix>> TakeAsync(ChannelReader<GnssFix> reader, int count, CancellationToken cancellationToken)
    {
        var list = new List<GnssFix>();
        while (list.Count < count)
            list.Add(await reader.ReadAsync(cancellationToken));
        return list;
    }
}

using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Gnss;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>Which source the trusted clock picks, and what the kernel says on this machine.</summary>
[TestFixture]
public sealed class TrustedClockTests
{
    private static readonly DateTimeOffset LocalStart = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan GnssAhead = TimeSpan.FromMinutes(5);

    private FakeTimeProvider _local = null!;
    private GnssClock _gnss = null!;
    private Mock<INtpStatus> _ntp = null!;
    private ClockOptions _options = null!;
    private string _rtc = null!;

    [SetUp]
    public void SetUp()
    {
        _local = new FakeTimeProvider(LocalStart);
        _gnss = new GnssClock(_local, new GnssClockOptions(), new RecordingLogger<GnssClock>());
        _ntp = new Mock<INtpStatus>();
        _rtc = Path.GetTempFileName();
        _options = new ClockOptions { RtcDevice = _rtc, TrustRtc = false };
    }

    [TearDown]
    public void TearDown() => File.Delete(_rtc);

    private TrustedClock Clock(GnssClock? gnss) => new(gnss, _options, _local, _ntp.Object, new RecordingLogger<TrustedClock>());

    private void GnssLocks()
    {
        for (int i = 0; i < 3; i++)
        {
            DateTimeOffset truth = _local.GetUtcNow() + GnssAhead;
            _gnss.OnFix(new GnssFix(truth.UtcDateTime.TimeOfDay, truth, 48.1, 11.5, GnssFixMode.ThreeD));
            _local.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Test]
    public void Without_any_source_it_is_unsynced_and_reads_the_local_clock()
    {
        TrustedClock clock = Clock(_gnss);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.IsTrustworthy, Is.False);
            Assert.That(clock.Source, Is.EqualTo("unsynced"));
            Assert.That(clock.UtcNow, Is.EqualTo(LocalStart));
        }
    }

    [Test]
    public void Gnss_time_comes_first()
    {
        _ntp.Setup(n => n.IsSynchronised).Returns(true);
        GnssLocks();
        TrustedClock clock = Clock(_gnss);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.IsTrustworthy, Is.True);
            Assert.That(clock.Source, Is.EqualTo("gnss"));
            Assert.That(clock.UtcNow, Is.EqualTo(_local.GetUtcNow() + GnssAhead));
        }
    }

    [Test]
    public void An_ntp_synchronised_system_clock_comes_next()
    {
        _ntp.Setup(n => n.IsSynchronised).Returns(true);
        _options.TrustRtc = true;
        TrustedClock clock = Clock(null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.Source, Is.EqualTo("ntp"));
            Assert.That(clock.IsTrustworthy, Is.True);
            Assert.That(clock.UtcNow, Is.EqualTo(LocalStart));
        }
    }

    [Test]
    public void A_present_and_trusted_rtc_comes_last()
    {
        _options.TrustRtc = true;
        TrustedClock clock = Clock(_gnss);
        string present = clock.Source;
        File.Delete(_rtc);
        string missing = clock.Source;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(present, Is.EqualTo("rtc"));
            Assert.That(missing, Is.EqualTo("unsynced"), "no RTC device, no RTC time");
        }
    }

    [Test]
    public void An_rtc_is_not_trusted_unless_configured()
    {
        Assert.That(Clock(_gnss).Source, Is.EqualTo("unsynced"));
    }

    [Test]
    public void Losing_gnss_falls_back_to_the_next_source()
    {
        _options.TrustRtc = true;
        GnssLocks();
        TrustedClock clock = Clock(_gnss);
        string before = clock.Source;
        _local.Advance(new GnssClockOptions().Holdover + TimeSpan.FromSeconds(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.EqualTo("gnss"));
            Assert.That(clock.Source, Is.EqualTo("rtc"));
            Assert.That(clock.UtcNow, Is.EqualTo(_local.GetUtcNow()), "the system clock, which the RTC set");
        }
    }

    [Test]
    public void The_kernel_answers_adjtimex_on_this_machine()
    {
        KernelClockReading reading = KernelNtpStatus.Read();
        TestContext.Out.WriteLine($"adjtimex: state {reading.State}, status 0x{reading.Status:x}, synchronised {reading.Synchronised}, error {reading.Error}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading.Error, Is.Null, "Linux answers without privileges");
            Assert.That(reading.State, Is.InRange(0, 5));
            Assert.That(reading.Synchronised, Is.EqualTo(reading.State != 5 && (reading.Status & 0x40) == 0));
            Assert.That(new KernelNtpStatus().IsSynchronised, Is.EqualTo(reading.Synchronised));
        }
    }
}

using IoTPlatform.LockController.Pi.Gnss;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Gnss;

[TestFixture]
public sealed class GnssClockTests
{
    // The Pi booted without RTC or network: its clock is 5 minutes behind the truth.
    private static readonly DateTimeOffset LocalStart = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LocalError = TimeSpan.FromMinutes(5);

    private FakeTimeProvider _local = null!;
    private RecordingLogger<GnssClock> _logger = null!;
    private GnssClock _clock = null!;

    [SetUp]
    public void SetUp()
    {
        _local = new FakeTimeProvider(LocalStart);
        _logger = new RecordingLogger<GnssClock>();
        _clock = new GnssClock(_local, new GnssClockOptions(), _logger);
    }

    /// <summary>A fix for the true time now, arriving <paramref name="delay"/> after its epoch.</summary>
    private GnssFix FixNow(TimeSpan delay = default)
    {
        DateTimeOffset truth = _local.GetUtcNow() + LocalError - delay;
        return new GnssFix(truth.UtcDateTime.TimeOfDay, truth, 48.1, 11.5, GnssFixMode.ThreeD);
    }

    private void Feed(int count, TimeSpan delay = default)
    {
        for (int i = 0; i < count; i++)
        {
            _clock.OnFix(FixNow(delay));
            _local.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Test]
    public void Before_any_gnss_time_the_clock_is_local_and_not_trustworthy()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_clock.IsTrustworthy, Is.False);
            Assert.That(_clock.GetUtcNow(), Is.EqualTo(LocalStart));
            Assert.That(_clock.State.LastSampleAge, Is.Null);
        }
    }

    [Test]
    public void Three_agreeing_fixes_make_it_trustworthy_and_correct_the_offset()
    {
        Feed(2);
        bool afterTwo = _clock.IsTrustworthy;
        Feed(1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterTwo, Is.False);
            Assert.That(_clock.IsTrustworthy, Is.True);
            Assert.That(_clock.State.Offset, Is.EqualTo(LocalError));
            Assert.That(_clock.GetUtcNow(), Is.EqualTo(_local.GetUtcNow() + LocalError));
            Assert.That(_logger.Count(110), Is.EqualTo(1), "trusted once");
        }
    }

    [Test]
    public void The_least_delayed_sample_sets_the_offset()
    {
        _clock.OnFix(FixNow(TimeSpan.FromMilliseconds(300)));
        _clock.OnFix(FixNow(TimeSpan.FromMilliseconds(100)));
        _clock.OnFix(FixNow(TimeSpan.FromMilliseconds(200)));
        Assert.That(_clock.State.Offset, Is.EqualTo(LocalError - TimeSpan.FromMilliseconds(100)));
    }

    [Test]
    public void Without_samples_for_longer_than_the_holdover_it_is_no_longer_trustworthy_but_keeps_its_offset()
    {
        Feed(3);
        _local.Advance(new GnssClockOptions().Holdover - TimeSpan.FromSeconds(2));
        bool withinHoldover = _clock.IsTrustworthy;
        _local.Advance(TimeSpan.FromSeconds(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(withinHoldover, Is.True);
            Assert.That(_clock.IsTrustworthy, Is.False);
            Assert.That(_clock.GetUtcNow(), Is.EqualTo(_local.GetUtcNow() + LocalError));
        }
    }

    [Test]
    public void A_sample_that_disagrees_withdraws_trust_until_new_samples_agree()
    {
        Feed(3);
        _local.SetUtcNow(_local.GetUtcNow() + TimeSpan.FromSeconds(30)); // NTP stepped the local clock
        _clock.OnFix(FixNow(TimeSpan.FromSeconds(30))); // the same true time now reads 30 s less ahead of local
        bool afterJump = _clock.IsTrustworthy;
        _local.Advance(TimeSpan.FromSeconds(1));
        Feed(2, TimeSpan.FromSeconds(30));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterJump, Is.False);
            Assert.That(_logger.Count(111), Is.EqualTo(1), "jump logged");
            Assert.That(_clock.IsTrustworthy, Is.True);
            Assert.That(_clock.State.Offset, Is.EqualTo(LocalError - TimeSpan.FromSeconds(30)));
        }
    }

    [Test]
    public void Fixes_without_a_date_or_from_a_week_rollover_receiver_are_ignored()
    {
        for (int i = 0; i < 5; i++)
        {
            _clock.OnFix(new GnssFix(TimeSpan.FromHours(12), null, 48.1, 11.5, GnssFixMode.ThreeD));
            _clock.OnFix(new GnssFix(TimeSpan.FromHours(3), new DateTimeOffset(2006, 8, 10, 3, 15, 17, TimeSpan.Zero), 48.1, 11.5, GnssFixMode.ThreeD));
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_clock.IsTrustworthy, Is.False);
            Assert.That(_clock.GetUtcNow(), Is.EqualTo(LocalStart));
            Assert.That(_logger.Count(112), Is.EqualTo(1), "logged once, not per fix");
        }
    }

    [Test]
    public void It_is_a_time_provider_for_expiry_checks()
    {
        Feed(3);
        TimeProvider time = _clock;
        DateTimeOffset expiresAt = _local.GetUtcNow() + LocalError + TimeSpan.FromSeconds(10);
        bool validNow = time.GetUtcNow() < expiresAt;
        _local.Advance(TimeSpan.FromSeconds(11));
        Assert.That((validNow, time.GetUtcNow() < expiresAt), Is.EqualTo((true, false)));
    }
}

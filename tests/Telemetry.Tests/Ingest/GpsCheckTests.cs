using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Tests.Infrastructure;
using Moq;

namespace IoTPlatform.Telemetry.Tests.Ingest;

public sealed class GpsCheckTests
{
    private const long Now = 1_763_805_600_000;
    private const double Lat = 39.9042;
    private const double Lon = 116.4074;

    // 0.001° of latitude ≈ 111 m.
    private const double HundredElevenMeters = 0.001;

    private GpsCheck _check = null!;

    [SetUp]
    public void NewCheck() => _check = new GpsCheck(new GpsCheckOptions(), new NoFixes());

    [Test]
    public void A_reading_without_a_position_has_no_fix()
    {
        Assert.That(_check.Check("bike-0001", new Reading { Seq = 1, Ts = Now, Battery = 50 }, Now), Is.EqualTo(PositionReasons.NoFix));
    }

    [Test]
    public void A_position_with_fix_0_is_not_trusted()
    {
        Assert.That(_check.Check("bike-0001", At(1, Now, Lat, Lon) with { Fix = GnssFix.None }, Now), Is.EqualTo(PositionReasons.NoFix));
    }

    [Test]
    public void Zero_zero_is_null_island()
    {
        Assert.That(_check.Check("bike-0001", At(1, Now, 0, 0), Now), Is.EqualTo(PositionReasons.NullIsland));
    }

    [Test]
    public void A_ts_ahead_of_the_clock_beyond_the_skew_is_not_trusted()
    {
        Assert.That(_check.Check("bike-0001", At(1, Now + 31_000, Lat, Lon), Now), Is.EqualTo(PositionReasons.TsInFuture));
        Assert.That(_check.Check("bike-0001", At(2, Now + 29_000, Lat, Lon), Now), Is.Null);
    }

    [Test]
    public void A_ride_at_bike_speed_passes()
    {
        // 111 m every 10 s = 11 m/s (40 km/h).
        for (var i = 0; i < 10; i++)
        {
            Assert.That(_check.Check("bike-0001", At(i, Now + (i * 10_000), Lat + (i * HundredElevenMeters), Lon), Now + (i * 10_000)), Is.Null, $"fix {i}");
        }
    }

    [Test]
    public void A_jump_is_rejected_and_does_not_become_the_reference()
    {
        Assert.That(_check.Check("bike-0001", At(1, Now, Lat, Lon), Now), Is.Null);

        // 11 km in 5 s.
        Assert.That(_check.Check("bike-0001", At(2, Now + 5_000, Lat + (100 * HundredElevenMeters), Lon), Now + 5_000), Is.EqualTo(PositionReasons.ImplausibleSpeed));

        // Back where it was: judged against the trusted fix, not the jump.
        Assert.That(_check.Check("bike-0001", At(3, Now + 10_000, Lat + HundredElevenMeters, Lon), Now + 10_000), Is.Null);
    }

    [Test]
    public void Noise_within_the_tolerance_is_never_a_jump()
    {
        Assert.That(_check.Check("bike-0001", At(1, Now, Lat, Lon), Now), Is.Null);
        Assert.That(_check.Check("bike-0001", At(2, Now, Lat + 0.0003, Lon), Now), Is.Null, "33 m in the same millisecond");
    }

    [Test]
    public void A_replayed_older_fix_is_judged_against_the_newest_trusted_one()
    {
        Assert.That(_check.Check("bike-0001", At(10, Now, Lat, Lon), Now), Is.Null);

        // An hour earlier, 5 km away: plausible (1.4 m/s).
        Assert.That(_check.Check("bike-0001", At(2, Now - 3_600_000, Lat + (45 * HundredElevenMeters), Lon), Now), Is.Null);

        // The newest trusted fix is still the reference: 222 m from it 10 s later is fine.
        Assert.That(_check.Check("bike-0001", At(11, Now + 10_000, Lat + (2 * HundredElevenMeters), Lon), Now + 10_000), Is.Null);
    }

    [Test]
    public void After_a_restart_the_last_trusted_fix_comes_from_the_latest_state()
    {
        var seed = new Mock<ILastFixSource>();
        seed.Setup(s => s.GetLastFix("bike-0001")).Returns(new LastFix(Now, Lat, Lon));
        var check = new GpsCheck(new GpsCheckOptions(), seed.Object);

        Assert.That(check.Check("bike-0001", At(2, Now + 1_000, Lat + (100 * HundredElevenMeters), Lon), Now + 1_000), Is.EqualTo(PositionReasons.ImplausibleSpeed));
    }

    [Test]
    public void The_speed_limit_is_configurable()
    {
        var strict = new GpsCheck(new GpsCheckOptions { MaxSpeedMetersPerSecond = 5, NoiseToleranceMeters = 0 }, new NoFixes());
        Assert.That(strict.Check("bike-0001", At(1, Now, Lat, Lon), Now), Is.Null);
        Assert.That(strict.Check("bike-0001", At(2, Now + 10_000, Lat + HundredElevenMeters, Lon), Now + 10_000), Is.EqualTo(PositionReasons.ImplausibleSpeed));
    }

    private static Reading At(long seq, long ts, double lat, double lon) => new() { Seq = seq, Ts = ts, Lat = lat, Lon = lon, Fix = GnssFix.ThreeD };
}

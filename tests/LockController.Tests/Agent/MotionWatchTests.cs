using IoTPlatform.LockController.Pi.Agent.Telemetry;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>The motion_while_locked rule: beyond the threshold from where it was locked, once per locked episode.</summary>
[TestFixture]
public sealed class MotionWatchTests
{
    // 0.0001° of latitude is 11.1 m.
    private const double Lat = 39.9042, Lon = 116.4074, MetresPerDegree = 111_195;

    private MotionWatch _watch = null!;

    [SetUp]
    public void SetUp() => _watch = new MotionWatch(thresholdMeters: 50);

    [Test]
    public void Fixes_while_unlocked_are_not_motion()
    {
        _watch.Unlocked();
        Assert.That(_watch.OnFix(Lat + 0.01, Lon), Is.Null);
    }

    [Test]
    public void Noise_within_the_threshold_is_not_motion()
    {
        _watch.Locked(Lat, Lon);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_watch.OnFix(Lat + 30 / MetresPerDegree, Lon), Is.Null);
            Assert.That(_watch.OnFix(Lat - 45 / MetresPerDegree, Lon), Is.Null);
        }
    }

    [Test]
    public void The_first_fix_beyond_the_threshold_reports_the_distance_once_per_episode()
    {
        _watch.Locked(Lat, Lon);
        double? moved = _watch.OnFix(Lat + 80 / MetresPerDegree, Lon);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(moved, Is.EqualTo(80).Within(0.5));
            Assert.That(_watch.OnFix(Lat + 200 / MetresPerDegree, Lon), Is.Null, "the same episode");
        }
        _watch.Unlocked();
        _watch.Locked(Lat + 200 / MetresPerDegree, Lon);
        Assert.That(_watch.OnFix(Lat + 300 / MetresPerDegree, Lon), Is.EqualTo(100).Within(0.5), "a new episode, anchored where it was locked again");
    }

    [Test]
    public void Locked_without_a_fix_anchors_at_the_first_fix_after_it()
    {
        _watch.Locked(null, null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_watch.OnFix(Lat, Lon), Is.Null, "the anchor");
            Assert.That(_watch.OnFix(Lat, Lon + 60 / (MetresPerDegree * Math.Cos(double.DegreesToRadians(Lat)))), Is.EqualTo(60).Within(0.5));
        }
    }

    [Test]
    public void A_second_locked_report_in_the_same_episode_keeps_the_anchor()
    {
        _watch.Locked(Lat, Lon);
        _watch.Locked(Lat + 1, Lon);
        Assert.That(_watch.OnFix(Lat + 100 / MetresPerDegree, Lon), Is.EqualTo(100).Within(0.5));
    }
}

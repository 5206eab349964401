using IoTPlatform.LockController.Pi.Agent.Telemetry;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>The low_battery rule: below the threshold once, again only after climbing past the hysteresis.</summary>
[TestFixture]
public sealed class BatteryWatchTests
{
    private BatteryWatch _watch = null!;

    [SetUp]
    public void SetUp() => _watch = new BatteryWatch(lowPercent: 20, hysteresisPercent: 5);

    [Test]
    public void Falling_below_the_threshold_reports_once()
    {
        bool[] reported = [.. new[] { 40, 25, 20, 19, 18, 10 }.Select(_watch.OnLevel)];
        Assert.That(reported, Is.EqualTo(new[] { false, false, false, true, false, false }));
    }

    [Test]
    public void A_level_wobbling_around_the_threshold_does_not_repeat_the_event()
    {
        bool[] reported = [.. new[] { 19, 21, 19, 24, 18 }.Select(_watch.OnLevel)];
        Assert.That(reported, Is.EqualTo(new[] { true, false, false, false, false }));
    }

    [Test]
    public void After_charging_past_the_hysteresis_a_new_fall_reports_again()
    {
        bool[] reported = [.. new[] { 19, 25, 19 }.Select(_watch.OnLevel)];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reported, Is.EqualTo(new[] { true, false, true }));
            Assert.That(_watch.IsLow, Is.True);
        }
    }
}

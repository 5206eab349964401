using IoTPlatform.LockController.Pi.Agent.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>The adaptive reading interval: moving/unlocked vs parked, following the state at once.</summary>
[TestFixture]
public sealed class TelemetryScheduleTests
{
    private FakeTimeProvider _time = null!;
    private TelemetrySchedule _schedule = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _schedule = new TelemetrySchedule(new TelemetryOptions { MovingIntervalSeconds = 5, ParkedIntervalSeconds = 300 }, _time);
    }

    [Test]
    public void The_first_reading_is_due_at_once_in_either_state()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_schedule.DueIn(active: true), Is.EqualTo(TimeSpan.Zero));
            Assert.That(_schedule.DueIn(active: false), Is.EqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public void A_parked_device_reports_every_parked_interval_and_an_active_one_every_moving_interval()
    {
        _schedule.Taken();
        _time.Advance(TimeSpan.FromSeconds(4));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_schedule.DueIn(active: true), Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(_schedule.DueIn(active: false), Is.EqualTo(TimeSpan.FromSeconds(296)));
        }
        _time.Advance(TimeSpan.FromSeconds(296));
        Assert.That(_schedule.DueIn(active: false), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Unlocking_a_parked_device_long_after_its_last_reading_makes_the_next_one_due_at_once()
    {
        _schedule.Taken();
        _time.Advance(TimeSpan.FromMinutes(4));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_schedule.DueIn(active: false), Is.EqualTo(TimeSpan.FromMinutes(1)), "still parked");
            Assert.That(_schedule.DueIn(active: true), Is.EqualTo(TimeSpan.Zero), "unlocked: overdue");
        }
        _schedule.Taken();
        Assert.That(_schedule.DueIn(active: true), Is.EqualTo(TimeSpan.FromSeconds(5)));
    }
}

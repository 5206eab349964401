using IoTPlatform.Broker;
using IoTPlatform.Broker.Policy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

public sealed class PublishRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    private PublishRateLimiter Limiter(double rate, int burst) =>
        new(_time, Options.Create(new BrokerOptions { PublishRatePerSecond = rate, PublishBurst = burst }));

    [Test]
    public void A_device_gets_its_burst_then_its_sustained_rate()
    {
        var limiter = Limiter(rate: 2, burst: 3);
        Assert.That(Enumerable.Range(0, 4).Select(_ => limiter.TryTake("bike-0001")), Is.EqualTo(new[] { true, true, true, false }));

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.That(limiter.TryTake("bike-0001"), Is.False);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(limiter.TryTake("bike-0001"), Is.True);
        Assert.That(limiter.TryTake("bike-0001"), Is.False);
    }

    [Test]
    public void Tokens_never_pile_up_beyond_the_burst()
    {
        var limiter = Limiter(rate: 10, burst: 2);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.That(Enumerable.Range(0, 3).Select(_ => limiter.TryTake("bike-0001")), Is.EqualTo(new[] { true, true, false }));
    }

    [Test]
    public void Devices_have_their_own_buckets_and_a_forgotten_one_starts_full()
    {
        var limiter = Limiter(rate: 0.001, burst: 1);
        Assert.That(limiter.TryTake("bike-0001"), Is.True);
        Assert.That(limiter.TryTake("bike-0001"), Is.False);
        Assert.That(limiter.TryTake("bike-0002"), Is.True);
        limiter.Forget("bike-0001");
        Assert.That(limiter.TryTake("bike-0001"), Is.True);
    }
}

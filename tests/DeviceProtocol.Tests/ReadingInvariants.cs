namespace IoTPlatform.DeviceProtocol.Tests;

/// <summary>
/// The invariants every decoded reading of a captured payload must hold (STYLE.md §9): position in
/// range and complete, battery 0–100, ts not in the future, sane slots. Every codec test that decodes
/// readings passes them through here.
/// </summary>
public abstract class ReadingInvariants
{
    protected static void AssertInvariants(IReadOnlyList<Reading> readings, long nowUnixMs = CapturedPayloads.NowUnixMs)
    {
        Assert.That(readings, Is.Not.Empty);
        foreach (var r in readings)
        {
            AssertInvariants(r, nowUnixMs);
        }
    }

    protected static void AssertInvariants(Reading r, long nowUnixMs = CapturedPayloads.NowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(r);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Seq, Is.GreaterThanOrEqualTo(0), "seq");
            Assert.That(r.Ts, Is.GreaterThan(0).And.LessThanOrEqualTo(nowUnixMs + PayloadValidator.MaxFutureSkewMilliseconds), "ts");
            Assert.That(r.Lat.HasValue, Is.EqualTo(r.Lon.HasValue), "lat and lon come together");
            if (r.Lat is double lat)
            {
                Assert.That(lat, Is.InRange(-90.0, 90.0), "lat");
            }

            if (r.Lon is double lon)
            {
                Assert.That(lon, Is.InRange(-180.0, 180.0), "lon");
            }

            if (r.Battery is int battery)
            {
                Assert.That(battery, Is.InRange(0, 100), "battery");
            }

            if (r.Fix is int fix)
            {
                Assert.That(fix, Is.AnyOf(0, 2, 3), "fix");
            }

            foreach (var slot in r.Slots ?? [])
            {
                Assert.That(slot.N, Is.InRange(1, DeviceKinds.MaxSlots), "slot n");
                Assert.That(slot.Charge ?? 0, Is.InRange(0, 100), "slot charge");
            }

            Assert.That(PayloadValidator.Validate(r, nowUnixMs, slotCount: null, out var error), Is.True, error?.ToString());
        }
    }
}

using System.Globalization;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Geo;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Trips;

namespace IoTPlatform.Telemetry.Tests.Trips;

public sealed class TripBuilderTests
{
    private const long T0 = 1_763_805_600_000;

    // Three points on a meridian, 0.001° of latitude (~111.2 m) apart.
    private static readonly (double Lat, double Lon) A = (39.9000, 116.4000);
    private static readonly (double Lat, double Lon) B = (39.9010, 116.4000);
    private static readonly (double Lat, double Lon) C = (39.9020, 116.4000);

    [Test]
    public void Unlock_ride_lock_is_one_trip_with_the_legs_summed()
    {
        var trips = TripBuilder.Build(
        [
            Point(0, 1, LockState.Locked, A),
            Point(10, 2, LockState.Unlocked, A),
            Point(70, 3, LockState.Unlocked, B),
            Point(130, 4, LockState.Unlocked, C),
            Point(140, 5, LockState.Locked),
        ]);

        Assert.That(trips, Has.Count.EqualTo(1));
        var trip = trips[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.Start, Is.EqualTo(new TripMoment(T0 + 10_000, A.Lat, A.Lon)));
            Assert.That(trip.End, Is.EqualTo(new TripMoment(T0 + 140_000, C.Lat, C.Lon)), "ends where it was last seen");
            Assert.That(trip.InProgress, Is.False);
            Assert.That(trip.DurationMs, Is.EqualTo(130_000));
            Assert.That(trip.DistanceMeters, Is.EqualTo(Distance(A, B) + Distance(B, C)).Within(1e-6));
            Assert.That(trip.DistanceMeters, Is.EqualTo(222.4).Within(0.5));
            Assert.That(trip.Path.Select(f => (f.Lat, f.Lon)), Is.EqualTo(new[] { A, B, C }));
        }
    }

    [Test]
    public void The_start_is_where_the_bike_stood_when_a_lock_event_without_position_unlocked_it()
    {
        var trips = TripBuilder.Build(
        [
            Point(0, 1, LockState.Locked, A),
            Point(5, 2, LockState.Unlocked),
            Point(65, 3, null, B),
            Point(70, 4, LockState.Locked),
        ]);

        Assert.That(trips.Single().Start, Is.EqualTo(new TripMoment(T0 + 5_000, A.Lat, A.Lon)));
        Assert.That(trips.Single().DistanceMeters, Is.EqualTo(Distance(A, B)).Within(1e-6));
        Assert.That(trips.Single().Path.Select(f => f.Ts), Is.EqualTo(new[] { T0, T0 + 65_000 }));
    }

    [Test]
    public void A_ride_still_under_way_has_no_end_and_lasts_until_the_newest_report()
    {
        var trips = TripBuilder.Build(
        [
            Point(0, 1, LockState.Unlocked, A),
            Point(60, 2, LockState.Unlocked, B),
            Point(90, 3, null),
        ]);

        var trip = trips.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.InProgress, Is.True);
            Assert.That(trip.End, Is.Null);
            Assert.That(trip.DurationMs, Is.EqualTo(90_000));
            Assert.That(trip.DistanceMeters, Is.EqualTo(Distance(A, B)).Within(1e-6));
        }
    }

    [Test]
    public void Jammed_and_unknown_neither_start_nor_end_a_ride_and_repeated_unlocked_does_not_restart_it()
    {
        var trips = TripBuilder.Build(
        [
            Point(0, 1, LockState.Jammed),
            Point(1, 2, LockState.Unknown),
            Point(2, 3, LockState.Locked),
            Point(3, 4, LockState.Jammed),
            Point(10, 5, LockState.Unlocked),
            Point(20, 6, LockState.Unlocked),
            Point(30, 7, LockState.Jammed),
            Point(40, 8, LockState.Unknown),
            Point(50, 9, LockState.Unlocked),
            Point(60, 10, LockState.Locked),
            Point(70, 11, LockState.Locked),
        ]);

        Assert.That(trips, Has.Count.EqualTo(1));
        Assert.That(trips[0].Start.Ts, Is.EqualTo(T0 + 10_000));
        Assert.That(trips[0].End!.Ts, Is.EqualTo(T0 + 60_000));
    }

    [Test]
    public void Unlocked_with_nothing_known_before_starts_a_ride_there()
    {
        var trips = TripBuilder.Build([Point(0, 7, LockState.Unlocked, A), Point(30, 8, LockState.Locked, B)]);
        Assert.That(trips.Single().Start, Is.EqualTo(new TripMoment(T0, A.Lat, A.Lon)));
        Assert.That(trips.Single().End, Is.EqualTo(new TripMoment(T0 + 30_000, B.Lat, B.Lon)));
    }

    [Test]
    public void Two_rides_in_a_row_each_start_where_the_previous_one_ended()
    {
        var trips = TripBuilder.Build(
        [
            Point(0, 1, LockState.Unlocked, A),
            Point(60, 2, LockState.Locked, B),
            Point(600, 3, LockState.Locked, B),
            Point(700, 4, LockState.Unlocked),
            Point(760, 5, LockState.Unlocked, C),
            Point(800, 6, LockState.Locked),
        ]);

        Assert.That(trips, Has.Count.EqualTo(2));
        Assert.That(trips[1].Start, Is.EqualTo(new TripMoment(T0 + 700_000, B.Lat, B.Lon)));
        Assert.That(trips[1].DistanceMeters, Is.EqualTo(Distance(B, C)).Within(1e-6));
    }

    [Test]
    public void Points_are_taken_in_ts_then_seq_order_whatever_order_they_come_in()
    {
        TripPoint[] ordered =
        [
            Point(0, 1, LockState.Locked, A),
            Point(10, 2, LockState.Unlocked),
            Point(10, 3, null, B),
            Point(20, 4, LockState.Locked, C),
            Point(20, 5, LockState.Unlocked),
        ];

        var expected = TripBuilder.Build(ordered);
        var shuffled = TripBuilder.Build([ordered[4], ordered[2], ordered[0], ordered[3], ordered[1]]);

        Assert.That(shuffled, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shuffled[0].Start, Is.EqualTo(expected[0].Start));
            Assert.That(shuffled[0].End, Is.EqualTo(expected[0].End));
            Assert.That(shuffled[0].DistanceMeters, Is.EqualTo(expected[0].DistanceMeters));
            Assert.That(shuffled[0].Start.Lat, Is.EqualTo(A.Lat), "seq 2 unlocked before seq 3 moved it");
            Assert.That(shuffled[1].Start.Ts, Is.EqualTo(T0 + 20_000), "seq 5 unlocked after seq 4 locked in the same millisecond");
            Assert.That(shuffled[1].InProgress, Is.True);
        }
    }

    [Test]
    public void Untrusted_positions_are_left_out_of_the_path()
    {
        var near = Stored(2, 10, LockState.Unlocked, A, null);
        var nullIsland = Stored(3, 20, LockState.Unlocked, (0, 0), PositionReasons.NullIsland);
        var jump = Stored(4, 30, LockState.Unlocked, (48.8566, 2.3522), PositionReasons.ImplausibleSpeed);
        var far = Stored(5, 40, LockState.Locked, B, null);

        var trip = TripBuilder.Build([.. new[] { near, nullIsland, jump, far }.Select(TripPoint.From)]).Single();

        Assert.That(trip.Path.Select(f => (f.Lat, f.Lon)), Is.EqualTo(new[] { A, B }));
        Assert.That(trip.DistanceMeters, Is.EqualTo(Distance(A, B)).Within(1e-6));
    }

    [Test]
    public void Only_lock_changed_events_carry_a_lock_into_a_trip()
    {
        var lockChanged = TripPoint.From(new StoredEvent("bike-1", new DeviceEvent { Seq = 1, Ts = T0, Type = EventType.LockChanged, Lock = LockState.Unlocked }, T0));
        var jammed = TripPoint.From(new StoredEvent("bike-1", new DeviceEvent { Seq = 2, Ts = T0, Type = EventType.Jammed, Lock = LockState.Locked }, T0));
        Assert.That(lockChanged.Lock, Is.EqualTo(LockState.Unlocked));
        Assert.That(jammed.Lock, Is.Null);
    }

    [Test]
    public void A_ride_without_any_position_has_no_place_and_no_distance()
    {
        var trip = TripBuilder.Build([Point(0, 1, LockState.Unlocked), Point(60, 2, LockState.Locked)]).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.Start, Is.EqualTo(new TripMoment(T0, null, null)));
            Assert.That(trip.End, Is.EqualTo(new TripMoment(T0 + 60_000, null, null)));
            Assert.That(trip.DistanceMeters, Is.Zero);
            Assert.That(trip.Path, Is.Empty);
        }
    }

    [Test]
    public void No_reports_no_trips()
    {
        Assert.That(TripBuilder.Build([]), Is.Empty);
    }

    [Test]
    public void A_recorded_ride_in_Central_Park_measures_its_known_9_8_km()
    {
        // Garmin recording, 1,812 fixes at 1 Hz (see ../shared/testdata/traces/README.md: 9.8 km).
        var fixes = TestData.Trace("nyc-centralpark-bike-2013-04-30.csv")
            .Skip(1)
            .Select(line => line.Split(','))
            .Select((f, i) => (Ts: T0 + (i * 1000L), Lat: double.Parse(f[1], CultureInfo.InvariantCulture), Lon: double.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.That(fixes, Has.Count.EqualTo(1812));
        var points = fixes.Select((f, i) => new TripPoint(
            f.Ts, i + 1, i == 0 ? LockState.Unlocked : i == fixes.Count - 1 ? LockState.Locked : null, new LastFix(f.Ts, f.Lat, f.Lon)));

        var trip = TripBuilder.Build(points).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.DistanceMeters, Is.EqualTo(9_800).Within(2).Percent);
            Assert.That(trip.DurationMs, Is.EqualTo(1811 * 1000L));
            Assert.That(trip.Path, Has.Count.EqualTo(1812));
            Assert.That(trip.Start.Lat, Is.EqualTo(40.781704));
        }
    }

    private static TripPoint Point(int seconds, long seq, LockState? lockState, (double Lat, double Lon)? at = null)
    {
        var ts = T0 + (seconds * 1000L);
        return new TripPoint(ts, seq, lockState, at is { } p ? new LastFix(ts, p.Lat, p.Lon) : null);
    }

    private static StoredReading Stored(long seq, int seconds, LockState lockState, (double Lat, double Lon) at, string? rejected) =>
        new("bike-1", new Reading { Seq = seq, Ts = T0 + (seconds * 1000L), Lat = at.Lat, Lon = at.Lon, Fix = GnssFix.ThreeD, Lock = lockState }, rejected, T0);

    private static double Distance((double Lat, double Lon) from, (double Lat, double Lon) to) =>
        GeoMath.DistanceMeters(from.Lat, from.Lon, to.Lat, to.Lon);
}

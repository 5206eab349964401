using System.Buffers;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Geo;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Trips;

namespace IoTPlatform.Telemetry.Tests.Trips;

/// <summary>Trips read from a real DuckDB history store, around the edges of the asked window.</summary>
public sealed class TripFinderTests
{
    private const string Bike = "bike-0001";
    private const long T0 = 1_763_805_600_000;

    private static readonly (double Lat, double Lon) A = (39.9000, 116.4000);
    private static readonly (double Lat, double Lon) B = (39.9010, 116.4000);
    private static readonly (double Lat, double Lon) C = (39.9020, 116.4000);

    private string _dir = null!;
    private DuckDbHistoryStore _store = null!;
    private long _commit;

    [SetUp]
    public void Open()
    {
        _dir = Directory.CreateTempSubdirectory("iotplatform-trips-").FullName;
        _store = new DuckDbHistoryStore(_dir);
    }

    [TearDown]
    public void Close()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task A_ride_under_way_at_from_is_reported_from_where_it_began()
    {
        await StoreRideAsync();

        var search = await FindAsync(200, 1000);

        var trip = search.Trips.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.Start, Is.EqualTo(new TripMoment(Ms(100), A.Lat, A.Lon)));
            Assert.That(trip.End, Is.EqualTo(new TripMoment(Ms(300), C.Lat, C.Lon)));
            Assert.That(trip.DistanceMeters, Is.EqualTo(Distance(A, B) + Distance(B, C)).Within(1e-6));
            Assert.That(search.Truncated, Is.False);
        }
    }

    [Test]
    public async Task A_ride_under_way_at_to_is_followed_to_its_lock()
    {
        await StoreRideAsync();

        var trip = (await FindAsync(0, 170)).Trips.Single();

        Assert.That(trip.InProgress, Is.False);
        Assert.That(trip.End, Is.EqualTo(new TripMoment(Ms(300), C.Lat, C.Lon)));
        Assert.That(trip.Path, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Rides_outside_the_window_are_not_reported()
    {
        await StoreRideAsync();
        await StoreAsync(
            Reading(40, 500, LockState.Unlocked, C),
            Reading(41, 600, LockState.Unlocked, B),
            Event(42, 700, LockState.Locked));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await FindAsync(350, 450)).Trips, Is.Empty, "between the rides");
            Assert.That((await FindAsync(400, 650)).Trips.Select(t => t.Start.Ts), Is.EqualTo(new[] { Ms(500) }));
            Assert.That((await FindAsync(0, 1000)).Trips.Select(t => t.Start.Ts), Is.EqualTo(new[] { Ms(100), Ms(500) }));
            Assert.That((await FindAsync(301, 500)).Trips, Is.Empty, "the second ride starts at 'to', which is outside");
        }
    }

    [Test]
    public async Task A_ride_never_locked_again_is_in_progress_until_the_newest_report()
    {
        await StoreAsync(Reading(1, 0, LockState.Locked, A), Event(2, 100, LockState.Unlocked), Reading(3, 160, LockState.Unlocked, B));

        var trip = (await FindAsync(50, 200)).Trips.Single();
        var cut = (await FindAsync(50, 120)).Trips.Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.InProgress, Is.True);
            Assert.That(trip.DurationMs, Is.EqualTo(60_000), "up to the newest report");
            Assert.That(cut.InProgress, Is.True);
            Assert.That(cut.DurationMs, Is.Zero, "up to the newest report in the window");
        }
    }

    [Test]
    public async Task A_ride_begun_beyond_the_look_back_is_followed_back_only_that_far()
    {
        var reach = (long)TripFinder.LookAround.TotalMilliseconds;
        await StoreAsync(Reading(1, 0, LockState.Locked, A), Event(2, 100, LockState.Unlocked));
        await StoreAsync(Reading(3, 200 + (reach / 1000), LockState.Unlocked, B));

        var trip = (await FindAsync(300 + (reach / 1000), 400 + (reach / 1000))).Trips.Single();

        Assert.That(trip.Start, Is.EqualTo(new TripMoment(Ms(200) + reach, B.Lat, B.Lon)));
    }

    [Test]
    public async Task More_points_than_the_limit_are_truncated()
    {
        var readings = Enumerable.Range(0, TripFinder.MaxPoints + 10)
            .Select(i => Reading(i + 1, i, i % 100 < 50 ? LockState.Locked : LockState.Unlocked, A))
            .ToArray();
        await StoreAsync(readings);

        var search = await FindAsync(0, TripFinder.MaxPoints + 100);

        Assert.That(search.Truncated, Is.True);
        Assert.That(search.Trips, Has.Count.EqualTo(TripFinder.MaxPoints / 100));
    }

    /// <summary>Locked at A; unlocked (an event, no position) at 100 s; B at 160 s; C at 220 s; locked (an event) at 300 s.</summary>
    private Task StoreRideAsync() => StoreAsync(
        Reading(1, 0, LockState.Locked, A),
        Event(2, 100, LockState.Unlocked),
        Reading(3, 160, LockState.Unlocked, B),
        Reading(4, 220, LockState.Unlocked, C),
        Event(5, 300, LockState.Locked),
        Reading(6, 360, LockState.Locked, C));

    private Task<TripSearch> FindAsync(long fromSeconds, long toSeconds) =>
        TripFinder.FindAsync(_store, Bike, Ms(fromSeconds), Ms(toSeconds), CancellationToken.None);

    private async Task StoreAsync(params IngestItem[] items)
    {
        var message = new IngestMessage(Bike, DeviceKind.Bike, 0, TopicKind.Telemetry, ReadOnlySequence<byte>.Empty, T0);
        message.Items.AddRange(items);
        await _store.WriteAsync(new CommitBatch(++_commit, [message]), CancellationToken.None);
    }

    private static IngestItem Reading(long seq, long seconds, LockState lockState, (double Lat, double Lon) at) =>
        new(new Reading { Seq = seq, Ts = Ms(seconds), Lat = at.Lat, Lon = at.Lon, Fix = GnssFix.ThreeD, Lock = lockState });

    private static IngestItem Event(long seq, long seconds, LockState lockState) =>
        new(new DeviceEvent { Seq = seq, Ts = Ms(seconds), Type = EventType.LockChanged, Lock = lockState });

    private static long Ms(long seconds) => T0 + (seconds * 1000);

    private static double Distance((double Lat, double Lon) from, (double Lat, double Lon) to) =>
        GeoMath.DistanceMeters(from.Lat, from.Lon, to.Lat, to.Lon);
}

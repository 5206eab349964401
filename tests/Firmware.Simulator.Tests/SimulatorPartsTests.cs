using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Gnss;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTPlatform.Firmware.Simulator.Tests;

/// <summary>The simulator's parts that need no backend: its NMEA into the firmware's parser and receiver, the option parsers, the report's ranges.</summary>
[TestFixture]
public sealed class SimulatorPartsTests
{
    [Test]
    public void Generated_sentences_pass_the_firmware_parser_with_their_checksums()
    {
        string epoch = NmeaSentences.Epoch(new DateTimeOffset(2026, 11, 23, 1, 2, 3, TimeSpan.Zero), -33.8688, 151.2093, 5, 90);
        string[] lines = epoch.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines, Has.Length.EqualTo(2));
            Assert.That(lines[0], Does.StartWith("$GPRMC,010203.00,A,3352.12800,S,15112.55800,E,"));
            Assert.That(lines[1], Does.StartWith("$GPGGA,010203.00,3352.12800,S,15112.55800,E,1,"));
            foreach (string line in lines)
                Assert.That(NmeaParser.TryParse(line, out _, out NmeaError error), Is.True, $"{line}: {error}");
            Assert.That(NmeaParser.TryParse(lines[0].Replace("A,33", "A,34", StringComparison.Ordinal), out _, out NmeaError bad), Is.False);
            Assert.That(bad, Is.EqualTo(NmeaError.BadChecksum));
        }
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task The_firmware_receiver_reads_fixes_where_the_motion_is_and_counts_garbage(CancellationToken cancellationToken)
    {
        var motion = new Motion(39.9042, 116.4074, TimeProvider.System);
        Assert.That(FaultPlan.TryParse("garbage-nmea=0.5", out FaultPlan faults, out _), Is.True);
        var counters = new FaultCounters();
        var connection = new SimulatedGnssConnection(motion, faults, counters, new Random(3), TimeProvider.System);
        var receiver = new GnssReceiver(connection, new GnssOptions(), TimeProvider.System, NullLogger<GnssReceiver>.Instance);
        var fixes = new List<LockController.Pi.Gnss.GnssFix>();
        await foreach (LockController.Pi.Gnss.GnssFix fix in receiver.ReadFixesAsync(cancellationToken))
        {
            fixes.Add(fix);
            if (fixes.Count == 4)
                break;
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fixes.Select(f => f.Latitude), Has.All.EqualTo(39.9042).Within(0.00001));
            Assert.That(fixes.Select(f => f.Longitude), Has.All.EqualTo(116.4074).Within(0.00001));
            Assert.That(fixes[^1].Time, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(3)));
            Assert.That(counters[FaultPlan.GarbageNmea], Is.EqualTo(receiver.Statistics.Rejected), "each garbled sentence rejected by the parser");
        }
    }

    [Test]
    public void A_ride_moves_along_its_path_and_parks()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var motion = new Motion(40.0, 116.0, time);
        motion.Ride([(40.001, 116.0)], speedMps: 10);
        time.Advance(TimeSpan.FromSeconds(5));
        (double lat, _, double speed, double course) = motion.Now();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Geo.Meters(40.0, 116.0, lat, 116.0), Is.EqualTo(50).Within(0.5));
            Assert.That(speed, Is.EqualTo(10));
            Assert.That(course, Is.EqualTo(0).Within(0.01));
        }
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.That(motion.Now().Lat, Is.EqualTo(40.001), "stops at the end of its path");
        Assert.That(motion.Moving, Is.False);
    }

    [TestCase("drop-ack=0.05,disconnect=0.02", true)]
    [TestCase("", true)]
    [TestCase("drop-ack=1.5", false)]
    [TestCase("drop-ack", false)]
    [TestCase("teleport=0.1", false)]
    [TestCase("jam=0.1,jam=0.2", false)]
    public void Fault_rates_parse_or_name_the_bad_part(string text, bool valid)
    {
        bool parsed = FaultPlan.TryParse(text, out FaultPlan plan, out string? error);
        Assert.That(parsed, Is.EqualTo(valid), error);
        if (valid && text.Length > 0)
            Assert.That(plan.Rate(FaultPlan.DropAck), Is.EqualTo(0.05));
        else if (!valid)
            Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void The_mix_assigns_kinds_by_their_weights()
    {
        Assert.That(FleetMix.TryParse("bike=80,umbrella-kiosk=10,charger-kiosk=10", out FleetMix mix, out _), Is.True);
        IReadOnlyList<DeviceKind> kinds = mix.Assign(205);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(kinds, Has.Count.EqualTo(205));
            Assert.That(kinds.Count(k => k == DeviceKind.Bike), Is.EqualTo(164));
            Assert.That(kinds.Count(k => k == DeviceKind.UmbrellaKiosk) + kinds.Count(k => k == DeviceKind.ChargerKiosk), Is.EqualTo(41));
            Assert.That(FleetMix.TryParse("bike=0", out _, out string? error), Is.False);
            Assert.That(error, Does.Contain("above 0"));
            Assert.That(FleetMix.TryParse("scooter=5", out _, out _), Is.False);
        }
    }

    [Test]
    public void Acked_seqs_are_reported_as_ranges() =>
        Assert.That(DeviceLedger.Ranges([1, 2, 3, 5, 1001, 1002]), Is.EqualTo(new[] { new long[] { 1, 3 }, [5, 5], [1001, 1002] }));

    [TestCase("--devices", "0", "--devices must be 1 to 10000")]
    [TestCase("--broker", "localhost", "--broker must be an IP address and port")]
    [TestCase("--faults", "jam=2", "--faults: the rate of jam")]
    [TestCase("--mix", "bike=x", "--mix: the weight of bike")]
    public async Task A_bad_option_exits_2_naming_it(string option, string value, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await SimulatorCommand.Create().Parse([option, value, "--api-key", "k"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain(message));
        }
    }

    [Test]
    public async Task An_unreachable_backend_is_a_setup_error()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await SimulatorCommand.Create().Parse(["--devices", "1", "--api", "http://127.0.0.1:9", "--broker", "127.0.0.1:9", "--api-key", "k"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("cannot be reached"));
        }
    }

    [Test]
    public void Seqs_are_read_from_telemetry_and_event_payloads_only()
    {
        byte[] reading = Encoding.UTF8.GetBytes("{\"seq\":42,\"ts\":1763859723000,\"battery\":50}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FaultyMqttClient.SeqsOf("v1/devices/bike-0001/telemetry", new System.Buffers.ReadOnlySequence<byte>(reading)), Is.EqualTo(new long[] { 42 }));
            Assert.That(FaultyMqttClient.SeqsOf("v1/devices/bike-0001/status", new System.Buffers.ReadOnlySequence<byte>(reading)), Is.Empty);
        }
    }
}

/// <summary>The recorded rides of ../shared/testdata/traces, and the MQTT seam's ack faults over a mocked client.</summary>
[TestFixture]
public sealed class SimulatorSeamTests
{
    [Test]
    public void Recorded_rides_load_from_gpx_and_csv()
    {
        string dir = TracesDir();
        List<IReadOnlyList<(double Lat, double Lon)>> tracks = Traces.Load(dir);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tracks, Has.Count.GreaterThanOrEqualTo(5));
            Assert.That(tracks.Max(t => t.Count), Is.GreaterThanOrEqualTo(1812), "the NYC ride at 1 Hz");
            Assert.That(tracks[0][0].Lat, Is.InRange(-90, 90));
            Assert.That(() => Traces.Load(Path.Combine(dir, "missing")), Throws.TypeOf<SetupException>());
        }
    }

    [TestCase(FaultPlan.DropAck, 0)]
    [TestCase(FaultPlan.DuplicateAck, 2)]
    public async Task An_ack_fault_drops_or_repeats_the_publish_and_is_counted(string fault, int publishes)
    {
        var inner = new Moq.Mock<MQTTnet.IMqttClient>();
        inner.Setup(c => c.PublishAsync(Moq.It.IsAny<MQTTnet.MqttApplicationMessage>(), Moq.It.IsAny<CancellationToken>()))
            .Returns(Task.FromResult(new MQTTnet.MqttClientPublishResult(1, MQTTnet.MqttClientPublishReasonCode.Success, null, [])));
        Assert.That(FaultPlan.TryParse($"{fault}=1", out FaultPlan faults, out _), Is.True);
        var counters = new FaultCounters();
        var ledger = new DeviceLedger();
        using var client = new FaultyMqttClient(inner.Object, ledger, faults, counters, new Random(1), TimeProvider.System);
        var ack = new MQTTnet.MqttApplicationMessageBuilder().WithTopic("v1/devices/bike-0001/acks")
            .WithPayload("{\"id\":\"01KAPW7Z3S5Q4ZK3VYV4R5M1ZD\",\"stage\":\"done\",\"result\":\"ok\",\"lock\":\"unlocked\",\"ts\":1763859723000}").Build();
        MQTTnet.MqttClientPublishResult result = await client.PublishAsync(ack);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.IsSuccess, Is.True);
            inner.Verify(c => c.PublishAsync(Moq.It.IsAny<MQTTnet.MqttApplicationMessage>(), Moq.It.IsAny<CancellationToken>()), Moq.Times.Exactly(publishes));
            Assert.That(counters[fault], Is.EqualTo(1));
            Assert.That(ledger.WasDropped("01KAPW7Z3S5Q4ZK3VYV4R5M1ZD", AckStage.Done), Is.EqualTo(fault == FaultPlan.DropAck));
        }
    }

    private static string TracesDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IoTPlatform.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata", "traces"));
        }
        throw new InvalidOperationException($"No IoTPlatform.sln above {AppContext.BaseDirectory}");
    }
}

using System.Text.Json;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Agent.Outbox;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using OutboxQueue = IoTPlatform.LockController.Pi.Agent.Outbox.Outbox;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>The writer over a real outbox and seq counter: stamps seq and ts, refuses what the backend must reject.</summary>
[TestFixture]
public sealed class OutboxRecordWriterTests
{
    private string _dir = null!;
    private FakeTimeProvider _time = null!;
    private OutboxQueue _outbox = null!;
    private SeqCounter _seq = null!;
    private RecordingLogger<OutboxRecordWriter> _log = null!;
    private OutboxRecordWriter _writer = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("lockctl-writer-").FullName;
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        _outbox = OutboxQueue.Open(Path.Combine(_dir, "outbox"), new OutboxOptions(), _time, new RecordingLogger<OutboxQueue>());
        _seq = SeqCounter.Open(Path.Combine(_dir, "seq"), 100, new RecordingLogger<SeqCounter>());
        _log = new RecordingLogger<OutboxRecordWriter>();
        _writer = new OutboxRecordWriter(_outbox, _seq, new FixedClock(_time), slotCount: 2, _log);
    }

    [TearDown]
    public void TearDown()
    {
        _writer.Dispose();
        _seq.Dispose();
        _outbox.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Readings_and_events_get_consecutive_seqs_and_the_clock_s_ts_in_outbox_order()
    {
        Reading? reading = await _writer.AppendAsync(new Reading { Seq = 0, Ts = 0, Battery = 80, Lock = LockState.Locked }, CancellationToken.None);
        DeviceEvent? boot = await _writer.AppendAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.Boot, Fw = "1.0.0" }, CancellationToken.None);
        IReadOnlyList<OutboxRecord> records = _outbox.Peek(10);
        long ts = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(boot!.Seq, Is.EqualTo(reading!.Seq + 1));
            Assert.That(reading.Ts, Is.EqualTo(ts));
            Assert.That(records.Select(r => r.Kind), Is.EqualTo(new[] { TopicKind.Telemetry, TopicKind.Events }));
            Assert.That(PayloadCodec.TryDecodeReadings(records[0].Payload, out IReadOnlyList<Reading>? decoded, out _), Is.True);
            Assert.That(decoded![0], Is.EqualTo(reading).Using<Reading>((a, b) => a.Seq == b.Seq && a.Ts == b.Ts && a.Battery == b.Battery && a.Lock == b.Lock));
            Assert.That(JsonDocument.Parse(records[1].Payload).RootElement.GetProperty("type").GetString(), Is.EqualTo("boot"));
        }
    }

    [Test]
    public async Task What_the_backend_must_reject_is_logged_and_never_appended()
    {
        DeviceEvent? badBattery = await _writer.AppendAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.LowBattery, Battery = 150 }, CancellationToken.None);
        DeviceEvent? noLock = await _writer.AppendAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.LockChanged }, CancellationToken.None);
        DeviceEvent? badSlot = await _writer.AppendAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.SlotChanged, Slot = 3, SlotState = SlotState.Empty }, CancellationToken.None);
        bool ack = await _writer.AppendAsync(new CommandAck { Id = "01JDZ8XK3V9Q4S2M7N6P5R4T3W", Stage = AckStage.Done, Lock = LockState.Locked, Ts = 1 }, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(badBattery, Is.Null);
            Assert.That(noLock, Is.Null);
            Assert.That(badSlot, Is.Null, "slot 3 of a two-slot kiosk");
            Assert.That(ack, Is.False, "a done ack without a result");
            Assert.That(_outbox.Stats.Count, Is.Zero);
            Assert.That(_writer.Invalid, Is.EqualTo(4));
            Assert.That(_log.Count(305), Is.EqualTo(3));
            Assert.That(_log.Count(306), Is.EqualTo(1));
        }
    }

    private sealed class FixedClock(TimeProvider time) : ITrustedClock
    {
        public bool IsTrustworthy => true;

        public string Source => "gnss";

        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}

using System.Buffers;
using System.Text;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.DeviceProtocol.Tests;

/// <summary>Events, status, commands, acks and the key set against captured bytes.</summary>
[TestFixture]
[SetCulture("de-DE")]
[SetUICulture("de-DE")]
public sealed class MessageCodecTests
{
    [Test]
    public void Lock_changed_event_decodes()
    {
        Assert.That(PayloadCodec.TryDecodeEvent(CapturedPayloads.LockChangedEvent, out var e, out var error), Is.True, error?.ToString());
        Assert.That(e, Is.EqualTo(new DeviceEvent { Seq = 1043, Ts = 1763805605000, Type = EventType.LockChanged, Lock = LockState.Unlocked }));
        Assert.That(PayloadValidator.Validate(e!, CapturedPayloads.NowUnixMs, slotCount: null, out var invalid), Is.True, invalid?.ToString());
    }

    [Test]
    public void Event_batch_decodes_every_type_with_its_fields()
    {
        Assert.That(PayloadCodec.TryDecodeEvents(CapturedPayloads.EventBatch, out var events, out var error), Is.True, error?.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events!.Select(e => e.Type), Is.EqualTo(new[] { EventType.Boot, EventType.SlotChanged, EventType.MotionWhileLocked, EventType.LowBattery, EventType.Tamper, EventType.Jammed }.AsEnumerable()));
            Assert.That(events![0].Fw, Is.EqualTo("1.4.2"));
            Assert.That(events[0].Reason, Is.EqualTo("power-on"));
            Assert.That(events[1], Is.EqualTo(new DeviceEvent { Seq = 13, Ts = 1763805001000, Type = EventType.SlotChanged, Slot = 3, SlotState = SlotState.Released, Item = "umb-0042" }));
            Assert.That(events[2].Distance, Is.EqualTo(38.5));
            Assert.That(events[3].Battery, Is.EqualTo(9));
            Assert.That(events[5].Lock, Is.EqualTo(LockState.Jammed));
            foreach (var e in events)
            {
                Assert.That(PayloadValidator.Validate(e, CapturedPayloads.NowUnixMs, slotCount: 8, out var invalid), Is.True, invalid?.ToString());
            }
        }
    }

    [Test]
    public void Event_wire_names_round_trip()
    {
        foreach (var type in Enum.GetValues<EventType>())
        {
            var e = new DeviceEvent { Seq = 1, Ts = 2, Type = type };
            var json = Encoding.UTF8.GetString(PayloadCodec.Encode(e));
            Assert.That(json, Is.EqualTo($$"""{"seq":1,"ts":2,"type":"{{type.ToWireName()}}"}"""));
            Assert.That(PayloadCodec.TryDecodeEvents(Encoding.UTF8.GetBytes(json), out var back, out _), Is.True);
            Assert.That(back!.Single(), Is.EqualTo(e));
        }
    }

    [Test]
    public void Single_event_decoder_refuses_an_array_and_batch_decoder_takes_one_object()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PayloadCodec.TryDecodeEvent(CapturedPayloads.EventBatch, out _, out var error), Is.False);
            Assert.That(error!.Reason, Is.EqualTo(DecodeReasons.WrongType));
            Assert.That(PayloadCodec.TryDecodeEvent(Segments.Split(CapturedPayloads.LockChangedEvent, 4), out var one, out _), Is.True);
            Assert.That(one!.Type, Is.EqualTo(EventType.LockChanged));
            Assert.That(PayloadCodec.TryDecodeEvents(CapturedPayloads.LockChangedEvent, out var events, out _), Is.True);
            Assert.That(events, Has.Count.EqualTo(1));
            Assert.That(PayloadCodec.TryDecodeEvents(Segments.Split(CapturedPayloads.EventBatch, 16), out events, out _), Is.True);
            Assert.That(events, Has.Count.EqualTo(6));
        }
    }

    [TestCase("LOCK_CHANGED", "locked")]
    [TestCase("lock_changed", "Locked")]
    [TestCase("LockChanged", "locked")]
    [TestCase("lock_changed", "lOcKeD")]
    [TestCase("lock_changed,tamper", "locked")]
    [TestCase(" lock_changed", "locked")]
    [TestCase("tamper,boot", "locked")]
    [TestCase("lock_changed", "")]
    public void Enum_values_must_be_the_exact_wire_names(string type, string lockState)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"seq":1,"ts":2,"type":"{{type}}","lock":"{{lockState}}"}""");
        Assert.That(PayloadCodec.TryDecodeEvent(json, out _, out var error), Is.False);
        Assert.That(error!.Reason, Is.EqualTo(DecodeReasons.InvalidValue));
    }

    [Test]
    public void Escaped_wire_name_is_the_same_string()
    {
        Assert.That(PayloadCodec.TryDecodeEvent("""{"seq":1,"ts":2,"type":"\u0074amper"}"""u8, out var e, out var error), Is.True, error?.ToString());
        Assert.That(e!.Type, Is.EqualTo(EventType.Tamper));
    }

    [Test]
    public void Encoding_an_undefined_enum_value_throws_rather_than_writing_a_number()
    {
        Assert.That(() => PayloadCodec.Encode(new DeviceEvent { Seq = 1, Ts = 2, Type = (EventType)42 }), Throws.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void Duplicate_field_takes_the_last_value()
    {
        Assert.That(PayloadCodec.TryDecodeStatus("""{"online":true,"online":false}"""u8, out var status, out _), Is.True);
        Assert.That(status!.Online, Is.False);
    }

    [Test]
    public void Status_and_will_decode()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PayloadCodec.TryDecodeStatus(CapturedPayloads.StatusOnline, out var status, out var error), Is.True, error?.ToString());
            Assert.That(status, Is.EqualTo(new DeviceStatus { Online = true, Fw = "1.4.2", Ts = 1763805600000, Clock = ClockState.Gnss }));
            Assert.That(PayloadCodec.TryDecodeStatus(Segments.Split(CapturedPayloads.Will, 3), out var will, out _), Is.True);
            Assert.That(will, Is.EqualTo(DeviceStatus.Offline));
            Assert.That(PayloadValidator.Validate(will!, CapturedPayloads.NowUnixMs, out _), Is.True);
        }
    }

    [Test]
    public void The_will_encodes_to_exactly_online_false()
    {
        Assert.That(PayloadCodec.Encode(DeviceStatus.Offline), Is.EqualTo(CapturedPayloads.Will.ToArray()));
    }

    [Test]
    public void Vector_command_decodes_and_re_encodes_byte_for_byte()
    {
        Assert.That(PayloadCodec.TryDecodeCommand(CapturedPayloads.VectorCommand, out var command, out var error), Is.True, error?.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(command!.Id, Is.EqualTo("01JDZ8XK3V9Q4S2M7N6P5R4T3W"));
            Assert.That(command.Action, Is.EqualTo(CommandAction.Unlock));
            Assert.That(command.Slot, Is.Null);
            Assert.That(command.IssuedAt, Is.EqualTo(1763805600000));
            Assert.That(command.ExpiresAt, Is.EqualTo(1763805630000));
            Assert.That(command.Kid, Is.EqualTo("cmd-2025-11"));
            Assert.That(command.Sig, Is.EqualTo(CapturedPayloads.VectorSignature));
            Assert.That(PayloadCodec.Encode(command), Is.EqualTo(CapturedPayloads.VectorCommand.ToArray()));
            Assert.That(PayloadCodec.TryDecodeCommand(Segments.Split(CapturedPayloads.VectorCommand, 10), out var fromSequence, out _), Is.True);
            Assert.That(fromSequence, Is.EqualTo(command));
        }
    }

    [Test]
    public void Acks_decode()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PayloadCodec.TryDecodeAck(CapturedPayloads.AckReceived, out var received, out var error), Is.True, error?.ToString());
            Assert.That(received, Is.EqualTo(new CommandAck { Id = "01JDZ8XK3V9Q4S2M7N6P5R4T3W", Stage = AckStage.Received, Lock = LockState.Locked, Ts = 1763805600400 }));
            Assert.That(PayloadCodec.TryDecodeAck(CapturedPayloads.AckDoneJammed, out var jammed, out _), Is.True);
            Assert.That(jammed!.Result, Is.EqualTo(AckResult.Failed));
            Assert.That(jammed.Lock, Is.EqualTo(LockState.Jammed));
            Assert.That(jammed.Reason, Is.EqualTo(RejectReasons.Jammed));
            Assert.That(PayloadCodec.TryDecodeAck(Segments.Split(CapturedPayloads.AckRejectedSlot, 8), out var rejected, out _), Is.True);
            Assert.That(rejected!.Result, Is.EqualTo(AckResult.Rejected));
            Assert.That(rejected.Slot, Is.EqualTo(9));
            Assert.That(rejected.Reason, Is.EqualTo(RejectReasons.BadSlot));
            foreach (var ack in new[] { received!, jammed, rejected })
            {
                Assert.That(PayloadValidator.Validate(ack, CapturedPayloads.NowUnixMs, slotCount: null, out var invalid), Is.True, invalid?.ToString());
                Assert.That(PayloadCodec.TryDecodeAck(PayloadCodec.Encode(ack), out var back, out _), Is.True);
                Assert.That(back, Is.EqualTo(ack));
            }
        }
    }

    [Test]
    public void Ack_with_a_reason_the_backend_does_not_know_is_kept_as_sent()
    {
        Assert.That(PayloadCodec.TryDecodeAck("""{"id":"c1","stage":"done","result":"rejected","lock":"locked","reason":"door-open","ts":5}"""u8, out var ack, out _), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ack!.Reason, Is.EqualTo("door-open"));
            Assert.That(RejectReasons.IsKnown(ack.Reason), Is.False);
            Assert.That(RejectReasons.IsKnown(RejectReasons.ClockUnsynced), Is.True);
        }
    }

    [Test]
    public void Key_set_round_trips_with_its_wire_names()
    {
        var set = new CommandSigningKeySet
        {
            Keys = [new CommandSigningKey { Kid = "cmd-2025-11", PublicKeyPem = CapturedPayloads.VectorPublicKeyPem }],
            Current = "cmd-2025-11",
        };
        var json = Encoding.UTF8.GetString(PayloadCodec.Encode(set));
        Assert.That(json, Does.StartWith("""{"keys":[{"kid":"cmd-2025-11","algorithm":"ES256","publicKeyPem":"-----BEGIN PUBLIC KEY-----\n"""));
        Assert.That(json, Does.EndWith("\"}],\"current\":\"cmd-2025-11\"}"));
        Assert.That(PayloadCodec.TryDecodeKeySet(Encoding.UTF8.GetBytes(json), out var back, out var error), Is.True, error?.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(back!.Current, Is.EqualTo(set.Current));
            Assert.That(back.Keys, Is.EqualTo(set.Keys));
        }
    }

    [Test]
    public void Buffer_writer_encoders_match_the_array_encoders()
    {
        PayloadCodec.TryDecodeEvent(CapturedPayloads.LockChangedEvent, out var e, out _);
        PayloadCodec.TryDecodeStatus(CapturedPayloads.StatusOnline, out var status, out _);
        PayloadCodec.TryDecodeCommand(CapturedPayloads.VectorCommand, out var command, out _);
        PayloadCodec.TryDecodeAck(CapturedPayloads.AckDoneJammed, out var ack, out _);
        var w1 = new ArrayBufferWriter<byte>();
        var w2 = new ArrayBufferWriter<byte>();
        var w3 = new ArrayBufferWriter<byte>();
        var w4 = new ArrayBufferWriter<byte>();
        PayloadCodec.Encode(e!, w1);
        PayloadCodec.Encode(status!, w2);
        PayloadCodec.Encode(command!, w3);
        PayloadCodec.Encode(ack!, w4);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(w1.WrittenSpan.ToArray(), Is.EqualTo(CapturedPayloads.LockChangedEvent.ToArray()));
            Assert.That(w2.WrittenSpan.ToArray(), Is.EqualTo(CapturedPayloads.StatusOnline.ToArray()));
            Assert.That(w3.WrittenSpan.ToArray(), Is.EqualTo(CapturedPayloads.VectorCommand.ToArray()));
            Assert.That(w4.WrittenSpan.ToArray(), Is.EqualTo(CapturedPayloads.AckDoneJammed.ToArray()));
        }
    }

    public static IEnumerable<TestCaseData> BadMessages()
    {
        static TestCaseData Case(string kind, string json, string reason, string path) =>
            new TestCaseData(kind, json, reason, path).SetName($"{kind} {reason} at {path}: {json}");

        yield return Case("event", """{"seq":1,"ts":2,"type":"exploded"}""", DecodeReasons.InvalidValue, "$.type");
        yield return Case("event", """{"seq":1,"ts":2}""", DecodeReasons.MissingField, "$.type");
        yield return Case("event", """{"seq":1,"ts":2,"type":"motion_while_locked","distance":1e400}""", DecodeReasons.InvalidValue, "$.distance");
        yield return Case("events", """[{"seq":1,"ts":2,"type":"tamper"},{"seq":2,"ts":3,"type":"tamper","lat":-1e999,"lon":0}]""", DecodeReasons.InvalidValue, "$[1].lat");
        yield return Case("events", """[{"seq":1,"ts":2,"type":"tamper"},{"seq":2,"ts":3,"type":"tamper","slotState":"gone"}]""", DecodeReasons.InvalidValue, "$[1].slotState");
        yield return Case("status", """{"online":"yes"}""", DecodeReasons.WrongType, "$.online");
        yield return Case("status", """{"fw":"1.0"}""", DecodeReasons.MissingField, "$.online");
        yield return Case("status", """{"online":true,"clock":"sundial"}""", DecodeReasons.InvalidValue, "$.clock");
        yield return Case("status", """[{"online":true}]""", DecodeReasons.WrongType, "$");
        yield return Case("status", "", DecodeReasons.Empty, "$");
        yield return Case("command", """{"id":"c1","action":"unlock","issuedAt":1,"expiresAt":2,"kid":"k"}""", DecodeReasons.MissingField, "$.sig");
        yield return Case("command", """{"id":null,"action":"unlock","issuedAt":1,"expiresAt":2,"kid":"k","sig":"x"}""", DecodeReasons.WrongType, "$.id");
        yield return Case("command", """{"id":"c1","action":"explode","issuedAt":1,"expiresAt":2,"kid":"k","sig":"x"}""", DecodeReasons.InvalidValue, "$.action");
        yield return Case("command", """{"id":"c1","action":"unlock","issuedAt":"2025-11-22T10:00:00Z","expiresAt":2,"kid":"k","sig":"x"}""", DecodeReasons.WrongType, "$.issuedAt");
        yield return Case("command", """{"id":"c1","action":"release","slot":4294967296,"issuedAt":1,"expiresAt":2,"kid":"k","sig":"x"}""", DecodeReasons.InvalidValue, "$.slot");
        yield return Case("ack", """{"id":"c1","stage":"finished","lock":"locked","ts":1}""", DecodeReasons.InvalidValue, "$.stage");
        yield return Case("ack", """{"id":"c1","stage":"done","result":"ok","ts":1}""", DecodeReasons.MissingField, "$.lock");
        yield return Case("ack", """{"id":"c1","stage":"done","result":"ok","lock":"locked","reason":7,"ts":1}""", DecodeReasons.WrongType, "$.reason");
        yield return Case("keys", """{"keys":[null],"current":"k"}""", DecodeReasons.WrongType, "$.keys[0]");
        yield return Case("keys", """{"keys":[{"kid":"k","algorithm":"ES256"}],"current":"k"}""", DecodeReasons.MissingField, "$.keys[0].publicKeyPem");
        yield return Case("keys", """{"keys":[]}""", DecodeReasons.MissingField, "$.current");
    }

    [TestCaseSource(nameof(BadMessages))]
    public void Bad_message_is_refused_with_its_reason(string kind, string json, string reason, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        DecodeError? error;
        var decoded = kind switch
        {
            "event" => PayloadCodec.TryDecodeEvent(bytes, out _, out error),
            "events" => PayloadCodec.TryDecodeEvents(bytes, out _, out error),
            "status" => PayloadCodec.TryDecodeStatus(bytes, out _, out error),
            "command" => PayloadCodec.TryDecodeCommand(bytes, out _, out error),
            "ack" => PayloadCodec.TryDecodeAck(bytes, out _, out error),
            _ => PayloadCodec.TryDecodeKeySet(bytes, out _, out error),
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.False);
            Assert.That(error!.Reason, Is.EqualTo(reason), error.ToString());
            Assert.That(error.Path, Is.EqualTo(path), error.ToString());
        }
    }
}

namespace IoTPlatform.DeviceProtocol.Tests;

[TestFixture]
[SetCulture("de-DE")]
public sealed class PayloadValidatorTests
{
    private const long Now = CapturedPayloads.NowUnixMs;

    private static readonly Reading Good = new()
    {
        Seq = 1, Ts = Now - 1000, Lat = 39.9, Lon = 116.4, Alt = 44, Speed = 4.2, Course = 87.5, Hdop = 0.9, Sats = 9, Fix = 3, Battery = 87, Lock = LockState.Locked,
    };

    private static readonly SlotReading Slot1 = new() { N = 1, State = SlotState.Occupied, Item = "umb-0042", Charge = 80 };

    private static readonly DeviceCommand GoodCommand = new()
    {
        Id = "01JDZ8XK3V9Q4S2M7N6P5R4T3W", Action = CommandAction.Unlock, IssuedAt = Now, ExpiresAt = Now + 30_000, Kid = "k1", Sig = CapturedPayloads.VectorSignature,
    };

    private static readonly CommandAck GoodAck = new() { Id = "c1", Stage = AckStage.Done, Result = AckResult.Ok, Lock = LockState.Unlocked, Ts = Now };

    public delegate bool Check(out ValidationError? error);

    private static TestCaseData R(string name, Reading r, string reason, string field, int? slotCount = null) =>
        Case(name, (out ValidationError? e) => PayloadValidator.Validate(r, Now, slotCount, out e), reason, field);

    private static TestCaseData E(string name, DeviceEvent ev, string reason, string field, int? slotCount = null) =>
        Case(name, (out ValidationError? e) => PayloadValidator.Validate(ev, Now, slotCount, out e), reason, field);

    private static TestCaseData Case(string name, Check check, string reason, string field) =>
        new TestCaseData(check, reason, field).SetName($"{reason}: {name}");

    public static IEnumerable<TestCaseData> Invalid()
    {
        yield return R("seq -1", Good with { Seq = -1 }, ValidationReasons.SeqNegative, "seq");
        yield return R("ts 0", Good with { Ts = 0 }, ValidationReasons.TsInvalid, "ts");
        yield return R("ts negative", Good with { Ts = -5 }, ValidationReasons.TsInvalid, "ts");
        yield return R("ts 5 min + 1 ms ahead", Good with { Ts = Now + PayloadValidator.MaxFutureSkewMilliseconds + 1 }, ValidationReasons.TsInFuture, "ts");
        yield return R("ts at long.MaxValue", Good with { Ts = long.MaxValue }, ValidationReasons.TsInFuture, "ts");
        yield return R("lat 90.0001", Good with { Lat = 90.0001 }, ValidationReasons.LatOutOfRange, "lat");
        yield return R("lat -91", Good with { Lat = -91 }, ValidationReasons.LatOutOfRange, "lat");
        yield return R("lon 180.5", Good with { Lon = 180.5 }, ValidationReasons.LonOutOfRange, "lon");
        yield return R("lon -181", Good with { Lon = -181 }, ValidationReasons.LonOutOfRange, "lon");
        yield return R("lat NaN", Good with { Lat = double.NaN }, ValidationReasons.NotFinite, "lat");
        yield return R("lon +Inf", Good with { Lon = double.PositiveInfinity }, ValidationReasons.NotFinite, "lon");
        yield return R("alt -Inf", Good with { Alt = double.NegativeInfinity }, ValidationReasons.NotFinite, "alt");
        yield return R("speed NaN", Good with { Speed = double.NaN }, ValidationReasons.NotFinite, "speed");
        yield return R("lat only", Good with { Lon = null }, ValidationReasons.PositionIncomplete, "lon");
        yield return R("lon only", Good with { Lat = null }, ValidationReasons.PositionIncomplete, "lat");
        yield return R("battery 101", Good with { Battery = 101 }, ValidationReasons.BatteryOutOfRange, "battery");
        yield return R("battery -1", Good with { Battery = -1 }, ValidationReasons.BatteryOutOfRange, "battery");
        yield return R("fix 1", Good with { Fix = 1 }, ValidationReasons.FixInvalid, "fix");
        yield return R("fix 4", Good with { Fix = 4 }, ValidationReasons.FixInvalid, "fix");
        yield return R("speed -0.1", Good with { Speed = -0.1 }, ValidationReasons.SpeedNegative, "speed");
        yield return R("course -1", Good with { Course = -1 }, ValidationReasons.CourseOutOfRange, "course");
        yield return R("course 360.1", Good with { Course = 360.1 }, ValidationReasons.CourseOutOfRange, "course");
        yield return R("hdop -1", Good with { Hdop = -1 }, ValidationReasons.HdopNegative, "hdop");
        yield return R("sats -1", Good with { Sats = -1 }, ValidationReasons.SatsNegative, "sats");
        yield return R("lock 42", Good with { Lock = (LockState)42 }, ValidationReasons.EnumInvalid, "lock");
        yield return R("slot 0", Good with { Slots = [Slot1 with { N = 0 }] }, ValidationReasons.SlotOutOfRange, "slots[0].n");
        yield return R("slot 65", Good with { Slots = [Slot1 with { N = 65 }] }, ValidationReasons.SlotOutOfRange, "slots[0].n");
        yield return R("slot beyond the kiosk", Good with { Slots = [Slot1, Slot1 with { N = 9 }] }, ValidationReasons.SlotOutOfRange, "slots[1].n", slotCount: 8);
        yield return R("slots on a bike", Good with { Slots = [Slot1] }, ValidationReasons.SlotOutOfRange, "slots[0].n", slotCount: 0);
        yield return R("slot twice", Good with { Slots = [Slot1, Slot1 with { N = 2 }, Slot1] }, ValidationReasons.SlotDuplicate, "slots[2].n");
        yield return R("slot 64 twice", Good with { Slots = [Slot1 with { N = 64 }, Slot1 with { N = 64 }] }, ValidationReasons.SlotDuplicate, "slots[1].n");
        yield return R("charge 101", Good with { Slots = [Slot1 with { Charge = 101 }] }, ValidationReasons.ChargeOutOfRange, "slots[0].charge");
        yield return R("charge -1", Good with { Slots = [Slot1 with { Charge = -1 }] }, ValidationReasons.ChargeOutOfRange, "slots[0].charge");
        yield return R("slot state 9", Good with { Slots = [Slot1 with { State = (SlotState)9 }] }, ValidationReasons.EnumInvalid, "slots[0].state");
        yield return R("slot null", Good with { Slots = [null!] }, ValidationReasons.FieldMissing, "slots[0]");
        yield return R("item empty", Good with { Slots = [Slot1 with { Item = "" }] }, ValidationReasons.TextInvalid, "slots[0].item");
        yield return R("item 65 chars", Good with { Slots = [Slot1 with { Item = new string('x', 65) }] }, ValidationReasons.TextInvalid, "slots[0].item");

        var ev = new DeviceEvent { Seq = 1, Ts = Now, Type = EventType.Tamper };
        yield return E("event seq -1", ev with { Seq = -1 }, ValidationReasons.SeqNegative, "seq");
        yield return E("event ts future", ev with { Ts = Now + 400_000 }, ValidationReasons.TsInFuture, "ts");
        yield return E("event type 99", ev with { Type = (EventType)99 }, ValidationReasons.EnumInvalid, "type");
        yield return E("lock_changed without lock", ev with { Type = EventType.LockChanged }, ValidationReasons.FieldMissing, "lock");
        yield return E("low_battery without battery", ev with { Type = EventType.LowBattery }, ValidationReasons.FieldMissing, "battery");
        yield return E("boot without fw", ev with { Type = EventType.Boot }, ValidationReasons.FieldMissing, "fw");
        yield return E("slot_changed without slot", ev with { Type = EventType.SlotChanged, SlotState = SlotState.Empty }, ValidationReasons.FieldMissing, "slot");
        yield return E("slot_changed without state", ev with { Type = EventType.SlotChanged, Slot = 2 }, ValidationReasons.FieldMissing, "slotState");
        yield return E("jammed without lock or slot", ev with { Type = EventType.Jammed }, ValidationReasons.FieldMissing, "lock");
        yield return E("event slot beyond kiosk", ev with { Type = EventType.SlotChanged, Slot = 5, SlotState = SlotState.Empty }, ValidationReasons.SlotOutOfRange, "slot", slotCount: 4);
        yield return E("event battery 200", ev with { Type = EventType.LowBattery, Battery = 200 }, ValidationReasons.BatteryOutOfRange, "battery");
        yield return E("event distance -3", ev with { Type = EventType.MotionWhileLocked, Distance = -3 }, ValidationReasons.DistanceNegative, "distance");
        yield return E("event lat 95", ev with { Lat = 95, Lon = 0 }, ValidationReasons.LatOutOfRange, "lat");
        yield return E("event reason with newline", ev with { Reason = "a\nb" }, ValidationReasons.TextInvalid, "reason");

        yield return Case("status ts in future", (out ValidationError? e) => PayloadValidator.Validate(new DeviceStatus { Online = true, Ts = Now + 3_600_000 }, Now, out e), ValidationReasons.TsInFuture, "ts");
        yield return Case("status ts 0", (out ValidationError? e) => PayloadValidator.Validate(new DeviceStatus { Online = true, Ts = 0 }, Now, out e), ValidationReasons.TsInvalid, "ts");
        yield return Case("status fw empty", (out ValidationError? e) => PayloadValidator.Validate(new DeviceStatus { Online = true, Fw = "" }, Now, out e), ValidationReasons.TextInvalid, "fw");
        yield return Case("status clock 7", (out ValidationError? e) => PayloadValidator.Validate(new DeviceStatus { Online = true, Clock = (ClockState)7 }, Now, out e), ValidationReasons.EnumInvalid, "clock");

        static TestCaseData C(string name, DeviceCommand c, string reason, string field, int? slotCount = null) =>
            Case(name, (out ValidationError? e) => PayloadValidator.Validate(c, slotCount, out e), reason, field);
        yield return C("command id with |", GoodCommand with { Id = "a|b" }, ValidationReasons.IdInvalid, "id");
        yield return C("command id empty", GoodCommand with { Id = "" }, ValidationReasons.IdInvalid, "id");
        yield return C("command id with space", GoodCommand with { Id = "a b" }, ValidationReasons.IdInvalid, "id");
        yield return C("command id 65 chars", GoodCommand with { Id = new string('A', 65) }, ValidationReasons.IdInvalid, "id");
        yield return C("command id null", GoodCommand with { Id = null! }, ValidationReasons.FieldMissing, "id");
        yield return C("action 9", GoodCommand with { Action = (CommandAction)9 }, ValidationReasons.EnumInvalid, "action");
        yield return C("release without slot", GoodCommand with { Action = CommandAction.Release }, ValidationReasons.FieldMissing, "slot");
        yield return C("unlock with slot", GoodCommand with { Slot = 1 }, ValidationReasons.SlotUnexpected, "slot");
        yield return C("secure slot 0", GoodCommand with { Action = CommandAction.Secure, Slot = 0 }, ValidationReasons.SlotOutOfRange, "slot");
        yield return C("secure slot beyond kiosk", GoodCommand with { Action = CommandAction.Secure, Slot = 13 }, ValidationReasons.SlotOutOfRange, "slot", slotCount: 12);
        yield return C("issuedAt 0", GoodCommand with { IssuedAt = 0 }, ValidationReasons.TsInvalid, "issuedAt");
        yield return C("expires before issued", GoodCommand with { ExpiresAt = Now - 1 }, ValidationReasons.ExpiryInvalid, "expiresAt");
        yield return C("expires at issued", GoodCommand with { ExpiresAt = Now }, ValidationReasons.ExpiryInvalid, "expiresAt");
        yield return C("kid empty", GoodCommand with { Kid = "" }, ValidationReasons.TextInvalid, "kid");
        yield return C("kid null", GoodCommand with { Kid = null! }, ValidationReasons.FieldMissing, "kid");
        yield return C("sig null", GoodCommand with { Sig = null! }, ValidationReasons.FieldMissing, "sig");

        static TestCaseData A(string name, CommandAck a, string reason, string field, int? slotCount = null) =>
            Case(name, (out ValidationError? e) => PayloadValidator.Validate(a, Now, slotCount, out e), reason, field);
        yield return A("ack id empty", GoodAck with { Id = "" }, ValidationReasons.IdInvalid, "id");
        yield return A("done without result", GoodAck with { Result = null }, ValidationReasons.FieldMissing, "result");
        yield return A("received with result", GoodAck with { Stage = AckStage.Received }, ValidationReasons.ResultUnexpected, "result");
        yield return A("rejected without reason", GoodAck with { Result = AckResult.Rejected }, ValidationReasons.FieldMissing, "reason");
        yield return A("stage 5", GoodAck with { Stage = (AckStage)5 }, ValidationReasons.EnumInvalid, "stage");
        yield return A("result 5", GoodAck with { Result = (AckResult)5 }, ValidationReasons.EnumInvalid, "result");
        yield return A("ack lock 5", GoodAck with { Lock = (LockState)5 }, ValidationReasons.EnumInvalid, "lock");
        yield return A("ack reason too long", GoodAck with { Result = AckResult.Failed, Reason = new string('r', 100) }, ValidationReasons.TextInvalid, "reason");
        yield return A("ack slot 0", GoodAck with { Slot = 0 }, ValidationReasons.SlotOutOfRange, "slot");
        yield return A("ack ts 0", GoodAck with { Ts = 0 }, ValidationReasons.TsInvalid, "ts");
        yield return A("ack ts future", GoodAck with { Ts = Now + 600_000 }, ValidationReasons.TsInFuture, "ts");
    }

    [TestCaseSource(nameof(Invalid))]
    public void Invalid_payload_is_refused_with_its_reason(Check check, string reason, string field)
    {
        ArgumentNullException.ThrowIfNull(check);
        var valid = check(out var error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(valid, Is.False);
            Assert.That(error!.Reason, Is.EqualTo(reason), error.ToString());
            Assert.That(error.Field, Is.EqualTo(field), error.ToString());
            Assert.That(error.Message, Is.Not.Empty);
        }
    }

    [Test]
    public void The_cases_cover_every_validation_reason()
    {
        var covered = Invalid().Select(c => (string)c.Arguments[1]!).ToHashSet();
        Assert.That(covered, Is.SupersetOf(ValidationReasons.All));
        Assert.That(ValidationReasons.All, Is.Unique);
        Assert.That(ValidationReasons.All, Has.All.Match("^[a-z0-9]+(-[a-z0-9]+)*$"));
    }

    public static IEnumerable<TestCaseData> Valid()
    {
        static TestCaseData V(string name, Reading r, int? slotCount = null) =>
            new TestCaseData(r, slotCount).SetName("valid: " + name);
        yield return V("the good reading", Good);
        yield return V("no fix, no position", Good with { Lat = null, Lon = null, Fix = 0, Alt = null, Speed = null, Course = null, Hdop = null });
        yield return V("0/0 position (the GPS check later decides)", Good with { Lat = 0, Lon = 0 });
        yield return V("poles and antimeridian", Good with { Lat = -90, Lon = 180 });
        yield return V("ts exactly 5 min ahead", Good with { Ts = Now + PayloadValidator.MaxFutureSkewMilliseconds });
        yield return V("backlog ts from a month ago", Good with { Ts = Now - (30L * 24 * 3600 * 1000) });
        yield return V("seq 0, battery 0 and 100 edges", Good with { Seq = 0, Battery = 0 });
        yield return V("course 360 (some receivers)", Good with { Course = 360, Battery = 100 });
        yield return V("only seq and ts", new Reading { Seq = 5, Ts = 1 });
        yield return V("all 64 slots of a kiosk", Good with { Slots = Enumerable.Range(1, 64).Select(n => Slot1 with { N = n }).ToList() }, 64);
        yield return V("last slot of an 8-slot kiosk", Good with { Slots = [Slot1 with { N = 8, Charge = 0 }] }, 8);
    }

    [TestCaseSource(nameof(Valid))]
    public void Valid_reading_passes(Reading reading, int? slotCount)
    {
        Assert.That(PayloadValidator.Validate(reading, Now, slotCount, out var error), Is.True, error?.ToString());
    }

    [Test]
    public void Every_event_type_with_its_required_fields_passes()
    {
        DeviceEvent[] events =
        [
            new() { Seq = 1, Ts = Now, Type = EventType.LockChanged, Lock = LockState.Locked },
            new() { Seq = 2, Ts = Now, Type = EventType.MotionWhileLocked },
            new() { Seq = 3, Ts = Now, Type = EventType.Tamper },
            new() { Seq = 4, Ts = Now, Type = EventType.LowBattery, Battery = 10 },
            new() { Seq = 5, Ts = Now, Type = EventType.Boot, Fw = "1.4.2" },
            new() { Seq = 6, Ts = Now, Type = EventType.SlotChanged, Slot = 3, SlotState = SlotState.Empty },
            new() { Seq = 7, Ts = Now, Type = EventType.Jammed, Slot = 2 },
        ];
        Assert.That(events.Select(e => e.Type).Distinct().Count(), Is.EqualTo(Enum.GetValues<EventType>().Length));
        foreach (var e in events)
        {
            Assert.That(PayloadValidator.Validate(e, Now, slotCount: 4, out var error), Is.True, error?.ToString());
        }
    }

    [Test]
    public void Valid_commands_and_acks_pass()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PayloadValidator.Validate(GoodCommand, slotCount: null, out var e1), Is.True, e1?.ToString());
            Assert.That(PayloadValidator.Validate(GoodCommand with { Action = CommandAction.Release, Slot = 12 }, slotCount: 12, out var e2), Is.True, e2?.ToString());
            Assert.That(PayloadValidator.Validate(GoodAck, Now, null, out var e3), Is.True, e3?.ToString());
            Assert.That(PayloadValidator.Validate(GoodAck with { Stage = AckStage.Received, Result = null }, Now, null, out var e4), Is.True, e4?.ToString());
            Assert.That(PayloadValidator.Validate(GoodAck with { Result = AckResult.Rejected, Reason = RejectReasons.ClockUnsynced }, Now, null, out var e5), Is.True, e5?.ToString());
            Assert.That(PayloadValidator.Validate(new DeviceStatus { Online = true, Fw = "1.4.2", Ts = Now, Clock = ClockState.Unsynced }, Now, out var e6), Is.True, e6?.ToString());
        }
    }

    [Test]
    public void Command_id_rule_accepts_ulids_and_refuses_separators()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PayloadValidator.IsCommandId("01JDZ8XK3V9Q4S2M7N6P5R4T3W"), Is.True);
            Assert.That(PayloadValidator.IsCommandId("cmd-1_2.3"), Is.True);
            Assert.That(PayloadValidator.IsCommandId("x|y"), Is.False);
            Assert.That(PayloadValidator.IsCommandId("é"), Is.False);
            Assert.That(PayloadValidator.IsCommandId(""), Is.False);
        }
    }
}

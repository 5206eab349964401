using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// Checks decoded payloads against the rules of protocol v1, separately from decoding. The time is
/// passed in (<c>nowUnixMs</c>, from the caller's <see cref="TimeProvider"/>); nothing here reads the
/// clock. The first broken rule is reported. "No fix" and 0/0 positions are not rejected here: the
/// reading is stored and the ingest's GPS check marks its position.
/// </summary>
public static class PayloadValidator
{
    /// <summary>How far a device's <c>ts</c> may be ahead of the receiver's clock: 5 minutes.</summary>
    public const long MaxFutureSkewMilliseconds = 5 * 60 * 1000;

    /// <summary>Longest text field (item, fw, reason, kid, command id).</summary>
    public const int MaxTextLength = 64;

    /// <summary>Longest <c>sig</c>: base64 of a 64-byte signature is 88 characters; some room for other algorithms later.</summary>
    public const int MaxSignatureLength = 256;

    /// <summary>Validates a reading.</summary>
    /// <param name="reading">The decoded reading.</param>
    /// <param name="nowUnixMs">The receiver's time, Unix epoch milliseconds.</param>
    /// <param name="slotCount">The kiosk's slot count (0 for a bike); null when unknown, then only 1…<see cref="DeviceKinds.MaxSlots"/> is checked.</param>
    /// <param name="error">The first broken rule.</param>
    public static bool Validate(Reading reading, long nowUnixMs, int? slotCount, [NotNullWhen(false)] out ValidationError? error)
    {
        ArgumentNullException.ThrowIfNull(reading);
        error = CheckSeqTs(reading.Seq, reading.Ts, nowUnixMs)
            ?? CheckPosition(reading.Lat, reading.Lon)
            ?? CheckFinite("alt", reading.Alt)
            ?? CheckNonNegative("speed", reading.Speed, ValidationReasons.SpeedNegative)
            ?? CheckCourse(reading.Course)
            ?? CheckNonNegative("hdop", reading.Hdop, ValidationReasons.HdopNegative)
            ?? (reading.Sats < 0 ? Error(ValidationReasons.SatsNegative, "sats", $"sats is {reading.Sats}; it must be ≥ 0.") : null)
            ?? (reading.Fix is int fix && !GnssFix.IsValid(fix) ? Error(ValidationReasons.FixInvalid, "fix", $"fix is {fix}; it must be 0, 2 or 3.") : null)
            ?? CheckPercent("battery", reading.Battery, ValidationReasons.BatteryOutOfRange)
            ?? CheckEnum("lock", reading.Lock)
            ?? CheckSlots(reading.Slots, slotCount);
        return error is null;
    }

    /// <summary>Validates an event, including the fields its type requires (see <see cref="DeviceEvent"/>).</summary>
    public static bool Validate(DeviceEvent deviceEvent, long nowUnixMs, int? slotCount, [NotNullWhen(false)] out ValidationError? error)
    {
        ArgumentNullException.ThrowIfNull(deviceEvent);
        var e = deviceEvent;
        error = CheckSeqTs(e.Seq, e.Ts, nowUnixMs)
            ?? CheckEnum("type", e.Type)
            ?? CheckEventFields(e)
            ?? CheckEnum("lock", e.Lock)
            ?? CheckEnum("slotState", e.SlotState)
            ?? CheckSlotNumber("slot", e.Slot, slotCount)
            ?? CheckText("item", e.Item)
            ?? CheckPercent("battery", e.Battery, ValidationReasons.BatteryOutOfRange)
            ?? CheckPosition(e.Lat, e.Lon)
            ?? CheckNonNegative("distance", e.Distance, ValidationReasons.DistanceNegative)
            ?? CheckText("fw", e.Fw)
            ?? CheckText("reason", e.Reason);
        return error is null;
    }

    /// <summary>Validates a status. <c>ts</c> is optional (the will has none).</summary>
    public static bool Validate(DeviceStatus status, long nowUnixMs, [NotNullWhen(false)] out ValidationError? error)
    {
        ArgumentNullException.ThrowIfNull(status);
        error = (status.Ts is long ts ? CheckTs("ts", ts, nowUnixMs) : null)
            ?? CheckText("fw", status.Fw)
            ?? CheckEnum("clock", status.Clock);
        return error is null;
    }

    /// <summary>
    /// Validates a command's shape: id, action, slot rules, times, kid, sig present. The signature itself
    /// is checked by <see cref="Signing.CommandVerifier"/>; expiry against the device clock by the device.
    /// </summary>
    public static bool Validate(DeviceCommand command, int? slotCount, [NotNullWhen(false)] out ValidationError? error)
    {
        ArgumentNullException.ThrowIfNull(command);
        error = CheckCommandId(command.Id)
            ?? CheckEnum("action", command.Action)
            ?? CheckCommandSlot(command, slotCount)
            ?? (command.IssuedAt <= 0 ? Error(ValidationReasons.TsInvalid, "issuedAt", $"issuedAt is {command.IssuedAt}; it must be > 0.") : null)
            ?? (command.ExpiresAt <= command.IssuedAt ? Error(ValidationReasons.ExpiryInvalid, "expiresAt", $"expiresAt {command.ExpiresAt} is not after issuedAt {command.IssuedAt}.") : null)
            ?? CheckText("kid", command.Kid, required: true)
            ?? CheckText("sig", command.Sig, required: true, MaxSignatureLength);
        return error is null;
    }

    /// <summary>Validates an ack: <c>result</c> on <c>done</c> only, <c>reason</c> on <c>rejected</c>.</summary>
    public static bool Validate(CommandAck ack, long nowUnixMs, int? slotCount, [NotNullWhen(false)] out ValidationError? error)
    {
        ArgumentNullException.ThrowIfNull(ack);
        error = CheckCommandId(ack.Id)
            ?? CheckEnum("stage", ack.Stage)
            ?? CheckEnum("result", ack.Result)
            ?? CheckEnum("lock", ack.Lock)
            ?? (ack.Stage == AckStage.Done && ack.Result is null ? Error(ValidationReasons.FieldMissing, "result", "A done ack needs a result.") : null)
            ?? (ack.Stage == AckStage.Received && ack.Result is not null ? Error(ValidationReasons.ResultUnexpected, "result", "A received ack has no result.") : null)
            ?? (ack.Result == AckResult.Rejected && ack.Reason is null ? Error(ValidationReasons.FieldMissing, "reason", "A rejected ack needs a reason.") : null)
            ?? CheckText("reason", ack.Reason)
            ?? CheckSlotNumber("slot", ack.Slot, slotCount)
            ?? CheckTs("ts", ack.Ts, nowUnixMs);
        return error is null;
    }

    private static ValidationError Error(string reason, string field, FormattableString message) =>
        new(reason, field, message.ToString(CultureInfo.InvariantCulture));

    private static ValidationError Error(string reason, string field, string message) => new(reason, field, message);

    private static ValidationError? CheckSeqTs(long seq, long ts, long nowUnixMs) =>
        seq < 0 ? Error(ValidationReasons.SeqNegative, "seq", $"seq is {seq}; it must be ≥ 0.") : CheckTs("ts", ts, nowUnixMs);

    private static ValidationError? CheckTs(string field, long ts, long nowUnixMs)
    {
        if (ts <= 0)
        {
            return Error(ValidationReasons.TsInvalid, field, $"{field} is {ts}; it must be a positive Unix time in milliseconds.");
        }

        // Subtract on the right: nowUnixMs + skew cannot overflow for any real clock, ts - now could.
        return ts - MaxFutureSkewMilliseconds > nowUnixMs
            ? Error(ValidationReasons.TsInFuture, field, $"{field} {ts} is {ts - nowUnixMs} ms ahead of the receiver's clock {nowUnixMs}; at most {MaxFutureSkewMilliseconds} ms are tolerated.")
            : null;
    }

    private static ValidationError? CheckFinite(string field, double? value) =>
        value is double v && !double.IsFinite(v) ? Error(ValidationReasons.NotFinite, field, $"{field} is {v}; it must be a finite number.") : null;

    private static ValidationError? CheckPosition(double? lat, double? lon)
    {
        var finite = CheckFinite("lat", lat) ?? CheckFinite("lon", lon);
        if (finite is not null)
        {
            return finite;
        }

        if (lat is double la && la is < -90 or > 90)
        {
            return Error(ValidationReasons.LatOutOfRange, "lat", $"lat is {la}; it must be within -90…90.");
        }

        if (lon is double lo && lo is < -180 or > 180)
        {
            return Error(ValidationReasons.LonOutOfRange, "lon", $"lon is {lo}; it must be within -180…180.");
        }

        return lat.HasValue == lon.HasValue
            ? null
            : Error(ValidationReasons.PositionIncomplete, lat.HasValue ? "lon" : "lat", $"lat and lon come together; only {(lat.HasValue ? "lat" : "lon")} is present.");
    }

    private static ValidationError? CheckNonNegative(string field, double? value, string reason) =>
        CheckFinite(field, value) ?? (value < 0 ? Error(reason, field, $"{field} is {value}; it must be ≥ 0.") : null);

    private static ValidationError? CheckCourse(double? course) =>
        CheckFinite("course", course)
        ?? (course is double c && c is < 0 or > 360 ? Error(ValidationReasons.CourseOutOfRange, "course", $"course is {c}; it must be within 0…360 degrees.") : null);

    private static ValidationError? CheckPercent(string field, int? value, string reason) =>
        value is int v && v is < 0 or > 100 ? Error(reason, field, $"{field} is {v}; it must be within 0…100 percent.") : null;

    private static ValidationError? CheckEnum<TEnum>(string field, TEnum? value)
        where TEnum : struct, Enum =>
        value is TEnum v ? CheckEnum(field, v) : null;

    private static ValidationError? CheckEnum<TEnum>(string field, TEnum value)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? null : Error(ValidationReasons.EnumInvalid, field, $"{field} holds the undefined value {value}.");

    private static ValidationError? CheckSlotNumber(string field, int? slot, int? slotCount)
    {
        if (slot is not int n)
        {
            return null;
        }

        var max = Math.Min(DeviceKinds.MaxSlots, slotCount ?? DeviceKinds.MaxSlots);
        return n < 1 || n > max
            ? Error(ValidationReasons.SlotOutOfRange, field, $"{field} is {n}; this device has slots 1…{max}{(max < 1 ? " (none)" : string.Empty)}.")
            : null;
    }

    private static ValidationError? CheckSlots(IReadOnlyList<SlotReading>? slots, int? slotCount)
    {
        if (slots is null)
        {
            return null;
        }

        ulong seen = 0;
        for (var i = 0; i < slots.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"slots[{i}]");
            var slot = slots[i];
            if (slot is null)
            {
                return Error(ValidationReasons.FieldMissing, prefix, $"{prefix} is null.");
            }

            var error = CheckSlotNumber(prefix + ".n", slot.N, slotCount)
                ?? CheckEnum(prefix + ".state", slot.State)
                ?? CheckText(prefix + ".item", slot.Item)
                ?? CheckPercent(prefix + ".charge", slot.Charge, ValidationReasons.ChargeOutOfRange);
            if (error is not null)
            {
                return error;
            }

            var bit = 1UL << (slot.N - 1);
            if ((seen & bit) != 0)
            {
                return Error(ValidationReasons.SlotDuplicate, prefix + ".n", $"Slot {slot.N} appears more than once.");
            }

            seen |= bit;
        }

        return null;
    }

    private static ValidationError? CheckText(string field, string? text, bool required = false, int maxLength = MaxTextLength)
    {
        if (text is null)
        {
            return required ? Error(ValidationReasons.FieldMissing, field, $"{field} is required.") : null;
        }

        if (text.Length == 0 || text.Length > maxLength)
        {
            return Error(ValidationReasons.TextInvalid, field, $"{field} has {text.Length} characters; it must have 1…{maxLength}.");
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return Error(ValidationReasons.TextInvalid, field, $"{field} holds a control character.");
            }
        }

        return null;
    }

    private static ValidationError? CheckCommandId(string? id)
    {
        if (id is null)
        {
            return Error(ValidationReasons.FieldMissing, "id", $"id is required.");
        }

        if (!IsCommandId(id))
        {
            return Error(ValidationReasons.IdInvalid, "id", $"id must be 1…{MaxTextLength} printable ASCII characters without '|'.");
        }

        return null;
    }

    /// <summary>True for a usable command id: 1…<see cref="MaxTextLength"/> printable ASCII characters, no <c>|</c> (the canonical form's separator).</summary>
    public static bool IsCommandId(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > MaxTextLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is < '!' or > '~' or '|')
            {
                return false;
            }
        }

        return true;
    }

    private static ValidationError? CheckCommandSlot(DeviceCommand command, int? slotCount)
    {
        var needsSlot = command.Action is CommandAction.Release or CommandAction.Secure;
        if (needsSlot && command.Slot is null)
        {
            return Error(ValidationReasons.FieldMissing, "slot", $"{command.Action.ToWireName()} needs a slot.");
        }

        if (!needsSlot && command.Slot is not null)
        {
            return Error(ValidationReasons.SlotUnexpected, "slot", $"{WireNames.TryGetWireName(command.Action)} takes no slot.");
        }

        return CheckSlotNumber("slot", command.Slot, slotCount);
    }

    private static ValidationError? CheckEventFields(DeviceEvent e) => e.Type switch
    {
        EventType.LockChanged when e.Lock is null => Error(ValidationReasons.FieldMissing, "lock", $"lock_changed needs lock."),
        EventType.LowBattery when e.Battery is null => Error(ValidationReasons.FieldMissing, "battery", $"low_battery needs battery."),
        EventType.Boot when e.Fw is null => Error(ValidationReasons.FieldMissing, "fw", $"boot needs fw."),
        EventType.SlotChanged when e.Slot is null => Error(ValidationReasons.FieldMissing, "slot", $"slot_changed needs slot."),
        EventType.SlotChanged when e.SlotState is null => Error(ValidationReasons.FieldMissing, "slotState", $"slot_changed needs slotState."),
        EventType.Jammed when e.Lock is null && e.Slot is null => Error(ValidationReasons.FieldMissing, "lock", $"jammed needs lock or slot."),
        _ => null,
    };
}

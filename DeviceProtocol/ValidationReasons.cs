namespace IoTPlatform.DeviceProtocol;

/// <summary>Stable machine codes of <see cref="ValidationError.Reason"/>, fit for metric labels.</summary>
public static class ValidationReasons
{
    public const string SeqNegative = "seq-negative";

    /// <summary><c>ts</c> (or <c>issuedAt</c>) ≤ 0.</summary>
    public const string TsInvalid = "ts-invalid";

    /// <summary><c>ts</c> more than <see cref="PayloadValidator.MaxFutureSkewMilliseconds"/> ahead of the receiver's clock.</summary>
    public const string TsInFuture = "ts-in-future";

    /// <summary>NaN or ±Infinity in a number field (possible only for payloads built in code).</summary>
    public const string NotFinite = "not-finite";

    public const string LatOutOfRange = "lat-out-of-range";
    public const string LonOutOfRange = "lon-out-of-range";

    /// <summary><c>lat</c> without <c>lon</c> or the reverse.</summary>
    public const string PositionIncomplete = "position-incomplete";

    public const string BatteryOutOfRange = "battery-out-of-range";

    /// <summary><c>fix</c> not 0, 2 or 3.</summary>
    public const string FixInvalid = "fix-invalid";

    public const string SpeedNegative = "speed-negative";

    /// <summary><c>course</c> outside 0…360.</summary>
    public const string CourseOutOfRange = "course-out-of-range";

    public const string HdopNegative = "hdop-negative";
    public const string SatsNegative = "sats-negative";

    /// <summary>A slot number &lt; 1, &gt; <see cref="DeviceKinds.MaxSlots"/>, or &gt; the kiosk's slot count.</summary>
    public const string SlotOutOfRange = "slot-out-of-range";

    /// <summary>The same slot number twice in one reading.</summary>
    public const string SlotDuplicate = "slot-duplicate";

    /// <summary>A slot on a command that takes none (<c>unlock</c>, <c>lock</c>).</summary>
    public const string SlotUnexpected = "slot-unexpected";

    public const string ChargeOutOfRange = "charge-out-of-range";
    public const string DistanceNegative = "distance-negative";

    /// <summary>An enum field holds an undefined value (possible only for payloads built in code).</summary>
    public const string EnumInvalid = "enum-invalid";

    /// <summary>A field the payload's type or stage requires is absent (e.g. <c>battery</c> on <c>low_battery</c>, <c>result</c> on a <c>done</c> ack).</summary>
    public const string FieldMissing = "field-missing";

    /// <summary>A text field (item, fw, reason, kid, sig) that is empty, longer than <see cref="PayloadValidator.MaxTextLength"/> or holds control characters.</summary>
    public const string TextInvalid = "text-invalid";

    /// <summary>A command id that is empty, longer than <see cref="PayloadValidator.MaxTextLength"/>, or not printable ASCII without <c>|</c>.</summary>
    public const string IdInvalid = "id-invalid";

    /// <summary><c>expiresAt</c> not after <c>issuedAt</c>.</summary>
    public const string ExpiryInvalid = "expiry-invalid";

    /// <summary>A <c>result</c> on a <c>received</c> ack.</summary>
    public const string ResultUnexpected = "result-unexpected";

    public static IReadOnlyList<string> All { get; } =
    [
        SeqNegative, TsInvalid, TsInFuture, NotFinite, LatOutOfRange, LonOutOfRange, PositionIncomplete,
        BatteryOutOfRange, FixInvalid, SpeedNegative, CourseOutOfRange, HdopNegative, SatsNegative,
        SlotOutOfRange, SlotDuplicate, SlotUnexpected, ChargeOutOfRange, DistanceNegative, EnumInvalid,
        FieldMissing, TextInvalid, IdInvalid, ExpiryInvalid, ResultUnexpected,
    ];
}

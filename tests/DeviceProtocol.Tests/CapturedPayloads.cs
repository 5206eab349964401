namespace IoTPlatform.DeviceProtocol.Tests;

/// <summary>
/// Payloads as controllers put them on the wire (the design's examples and what the firmware sends),
/// kept as literal bytes: the codec is tested against these, not against what it encodes itself.
/// </summary>
internal static class CapturedPayloads
{
    /// <summary>"Now" for these payloads: 2025-11-22 10:00:30 UTC, 30 s after the design's example ts.</summary>
    public const long NowUnixMs = 1763805630000;

    /// <summary>The design's example reading, byte for byte.</summary>
    public static ReadOnlySpan<byte> DesignReading => """
        {"seq": 1042, "ts": 1763805600000, "lat": 39.90421, "lon": 116.40739, "alt": 44.1,
        "speed": 4.2, "course": 87.5, "hdop": 0.9, "sats": 9, "fix": 3, "battery": 87, "lock": "locked",
        "slots": [{"n": 1, "state": "occupied", "item": "umb-0042", "charge": 80}]}
        """u8;

    /// <summary>A bike with no fix: position fields absent.</summary>
    public static ReadOnlySpan<byte> BikeNoFix => """{"seq":7,"ts":1763805601000,"fix":0,"sats":2,"battery":54,"lock":"unlocked"}"""u8;

    /// <summary>A charger kiosk reading with four slots and a firmware field the backend does not know yet.</summary>
    public static ReadOnlySpan<byte> ChargerKiosk => """
        {"seq":88,"ts":1763805602500,"lat":-33.86882,"lon":151.20929,"fix":2,"hdop":1.7,"sats":6,"battery":100,"lock":"locked",
         "slots":[{"n":1,"state":"occupied","item":"chg-0001","charge":100},{"n":2,"state":"empty"},
                  {"n":3,"state":"released","item":"chg-0003","charge":41},{"n":4,"state":"fault"}],
         "rssi":-71,"debug":{"loop_ms":12,"heap":[1,2,3]}}
        """u8;

    /// <summary>A backlog replay after an outage: three readings, oldest first, one of them without a fix.</summary>
    public static ReadOnlySpan<byte> BacklogArray => """
        [{"seq":500,"ts":1763790000000,"lat":52.52001,"lon":13.40495,"speed":0,"fix":3,"battery":61,"lock":"locked"},
         {"seq":501,"ts":1763790030000,"fix":0,"battery":61,"lock":"locked"},
         {"seq":502,"ts":1763790060000,"lat":52.52003,"lon":13.40499,"speed":0.4,"course":359.9,"fix":3,"battery":60,"lock":"locked"}]
        """u8;

    public static ReadOnlySpan<byte> LockChangedEvent => """{"seq":1043,"ts":1763805605000,"type":"lock_changed","lock":"unlocked"}"""u8;

    public static ReadOnlySpan<byte> EventBatch => """
        [{"seq":12,"ts":1763805000000,"type":"boot","fw":"1.4.2","reason":"power-on"},
         {"seq":13,"ts":1763805001000,"type":"slot_changed","slot":3,"slotState":"released","item":"umb-0042"},
         {"seq":14,"ts":1763805002000,"type":"motion_while_locked","distance":38.5,"lat":39.9043,"lon":116.4074},
         {"seq":15,"ts":1763805003000,"type":"low_battery","battery":9},
         {"seq":16,"ts":1763805004000,"type":"tamper","reason":"case-opened"},
         {"seq":17,"ts":1763805005000,"type":"jammed","lock":"jammed","reason":"bolt-stuck"}]
        """u8;

    public static ReadOnlySpan<byte> StatusOnline => """{"online":true,"fw":"1.4.2","ts":1763805600000,"clock":"gnss"}"""u8;

    public static ReadOnlySpan<byte> Will => """{"online":false}"""u8;

    /// <summary>The design's test-vector command as the backend publishes it.</summary>
    public static ReadOnlySpan<byte> VectorCommand => """
        {"id":"01JDZ8XK3V9Q4S2M7N6P5R4T3W","action":"unlock","issuedAt":1763805600000,"expiresAt":1763805630000,"kid":"cmd-2025-11","sig":"SH9Y+TH/sCu63D0OSwJUZGhvlMNEH3GY40p+Q0zQMnVFAYXP99S5ug7aA5P8BLx1Nnu7yYtJtC5wg02ddqQ3dQ=="}
        """u8;

    public static ReadOnlySpan<byte> AckReceived => """{"id":"01JDZ8XK3V9Q4S2M7N6P5R4T3W","stage":"received","lock":"locked","ts":1763805600400}"""u8;

    public static ReadOnlySpan<byte> AckDoneJammed => """{"id":"01JDZ8XK3V9Q4S2M7N6P5R4T3W","stage":"done","result":"failed","lock":"jammed","reason":"jammed","ts":1763805602100}"""u8;

    public static ReadOnlySpan<byte> AckRejectedSlot => """{"id":"01JDZ9A0000000000000000000","stage":"done","result":"rejected","lock":"locked","slot":9,"reason":"bad-slot","ts":1763805602100}"""u8;

    public const string VectorPublicKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEO8OdZcfO5nsBQksPUYm6VB97tjhn
        SQb1/W3ntRx3cdq12NEjO7BE4sNnQC5bowubq8oPf7f4qgmui6tzt7R11A==
        -----END PUBLIC KEY-----
        """;

    public const string VectorMessage = "v1|bike-0001|01JDZ8XK3V9Q4S2M7N6P5R4T3W|unlock||1763805600000|1763805630000";

    public const string VectorSignature = "SH9Y+TH/sCu63D0OSwJUZGhvlMNEH3GY40p+Q0zQMnVFAYXP99S5ug7aA5P8BLx1Nnu7yYtJtC5wg02ddqQ3dQ==";
}

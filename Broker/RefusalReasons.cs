namespace IoTPlatform.Broker;

/// <summary>Why the broker refused something: stable codes for counters, logs and the stats endpoint.</summary>
public static class RefusalReasons
{
    // CONNECT
    public const string InvalidClientId = "invalid-client-id";
    public const string ClientIdMismatch = "client-id-mismatch";
    public const string MissingCredentials = "missing-credentials";
    public const string UnknownDevice = "unknown-device";
    public const string BadSecret = "bad-secret";
    public const string Decommissioned = "decommissioned";
    public const string KeepAliveOutOfRange = "keepalive-out-of-range";

    // PUBLISH / SUBSCRIBE
    public const string PublishNotAllowed = "publish-not-allowed";
    public const string SubscribeNotAllowed = "subscribe-not-allowed";
    public const string PayloadTooLarge = "payload-too-large";
    public const string PacketTooLarge = "packet-too-large";
    public const string MalformedPacket = "malformed-packet";
    public const string RateLimited = "rate-limited";
}

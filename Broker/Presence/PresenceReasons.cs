namespace IoTPlatform.Broker.Presence;

/// <summary>Why a device's presence changed: stable codes stored with every transition.</summary>
public static class PresenceReasons
{
    public const string Connect = "connect";
    public const string CleanDisconnect = "clean-disconnect";
    public const string KeepAliveTimeout = "keepalive-timeout";
    public const string Takeover = "takeover";
    public const string ConnectionLost = "connection-lost";
    public const string SecretRotated = "secret-rotated";
    public const string Decommissioned = "decommissioned";
    public const string AclViolation = "acl-violation";
    public const string PacketTooLarge = "packet-too-large";
    public const string RateLimited = "rate-limited";
    public const string GatewayStopped = "gateway-stopped";
    public const string GatewayRestarted = "gateway-restarted";
}

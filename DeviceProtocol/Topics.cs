namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// Topic names of protocol v1: <c>v1/devices/{id}/telemetry|events|status|commands|acks</c>, and the
/// ACL facts that follow: a device publishes only to its own telemetry, events, status and acks, and
/// subscribes only to its own commands.
/// </summary>
public static class Topics
{
    /// <summary>What every device topic starts with.</summary>
    public const string Prefix = "v1/devices/";

    public static string Telemetry(string deviceId) => For(deviceId, TopicKind.Telemetry);

    public static string Events(string deviceId) => For(deviceId, TopicKind.Events);

    public static string Status(string deviceId) => For(deviceId, TopicKind.Status);

    public static string Commands(string deviceId) => For(deviceId, TopicKind.Commands);

    public static string Acks(string deviceId) => For(deviceId, TopicKind.Acks);

    /// <summary>The topic of <paramref name="kind"/> for one device.</summary>
    /// <exception cref="ArgumentException">The id is not a valid device id.</exception>
    public static string For(string deviceId, TopicKind kind)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        if (!DeviceId.IsValid(deviceId))
        {
            throw new ArgumentException($"'{deviceId}' is not a device id ({DeviceId.Pattern}).", nameof(deviceId));
        }

        return string.Concat(Prefix, deviceId, "/", LevelName(kind));
    }

    /// <summary>
    /// The subscription filter for one kind of every device, <c>v1/devices/+/{kind}</c> (for a gateway
    /// that consumes an external broker, possibly behind <c>$share/{group}/</c>).
    /// </summary>
    public static string AllDevices(TopicKind kind) => string.Concat(Prefix, "+/", LevelName(kind));

    /// <summary>The last topic level of a kind: <c>telemetry</c>, <c>events</c>, <c>status</c>, <c>commands</c>, <c>acks</c>.</summary>
    public static string LevelName(TopicKind kind) => kind switch
    {
        TopicKind.Telemetry => "telemetry",
        TopicKind.Events => "events",
        TopicKind.Status => "status",
        TopicKind.Commands => "commands",
        TopicKind.Acks => "acks",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown topic kind."),
    };

    /// <summary>True for the kinds a device may publish to (on its own id): telemetry, events, status, acks.</summary>
    public static bool DeviceMayPublish(TopicKind kind) => kind is TopicKind.Telemetry or TopicKind.Events or TopicKind.Status or TopicKind.Acks;

    /// <summary>True for the kinds a device may subscribe to (on its own id): commands.</summary>
    public static bool DeviceMaySubscribe(TopicKind kind) => kind is TopicKind.Commands;

    /// <summary>
    /// Parses a concrete device topic. Refuses wildcards (<c>+</c>, <c>#</c>), <c>$</c> topics such as
    /// <c>$share/…</c>, empty or extra levels, unknown kinds and invalid device ids. Never throws.
    /// </summary>
    /// <param name="topic">The topic name as published or subscribed.</param>
    /// <param name="deviceId">Where the id lies in <paramref name="topic"/>.</param>
    /// <param name="kind">The topic's kind.</param>
    public static bool TryParse(ReadOnlySpan<char> topic, out Range deviceId, out TopicKind kind)
    {
        deviceId = default;
        kind = default;
        if (!topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic[Prefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        var id = rest[..slash];
        var level = rest[(slash + 1)..];
        if (!DeviceId.IsValid(id) || !TryParseLevel(level, out kind))
        {
            return false;
        }

        deviceId = new Range(Prefix.Length, Prefix.Length + slash);
        return true;
    }

    /// <summary>
    /// The ACL's question, without allocating: is <paramref name="topic"/> a concrete topic of the device
    /// <paramref name="deviceId"/> (ordinal comparison)? <paramref name="kind"/> then says which; combine
    /// with <see cref="DeviceMayPublish"/> or <see cref="DeviceMaySubscribe"/>.
    /// </summary>
    public static bool IsDeviceTopic(ReadOnlySpan<char> topic, ReadOnlySpan<char> deviceId, out TopicKind kind) =>
        TryParse(topic, out Range id, out kind) && topic[id].SequenceEqual(deviceId);

    /// <summary>As <see cref="TryParse(ReadOnlySpan{char}, out Range, out TopicKind)"/>, giving the id as a string.</summary>
    public static bool TryParse(string? topic, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? deviceId, out TopicKind kind)
    {
        if (topic is not null && TryParse(topic.AsSpan(), out Range range, out kind))
        {
            deviceId = topic[range];
            return true;
        }

        deviceId = null;
        kind = default;
        return false;
    }

    private static bool TryParseLevel(ReadOnlySpan<char> level, out TopicKind kind)
    {
        // Exact match only: this also refuses extra levels ("telemetry/x") and wildcards ("#", "+").
        switch (level)
        {
            case "telemetry": kind = TopicKind.Telemetry; return true;
            case "events": kind = TopicKind.Events; return true;
            case "status": kind = TopicKind.Status; return true;
            case "commands": kind = TopicKind.Commands; return true;
            case "acks": kind = TopicKind.Acks; return true;
            default: kind = default; return false;
        }
    }
}

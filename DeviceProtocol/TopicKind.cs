namespace IoTPlatform.DeviceProtocol;

/// <summary>The last level of a device topic <c>v1/devices/{id}/{kind}</c>.</summary>
public enum TopicKind
{
    /// <summary><c>telemetry</c>: device → backend, one reading or an array.</summary>
    Telemetry,

    /// <summary><c>events</c>: device → backend.</summary>
    Events,

    /// <summary><c>status</c>: device → backend, retained; also the last will.</summary>
    Status,

    /// <summary><c>commands</c>: backend → device.</summary>
    Commands,

    /// <summary><c>acks</c>: device → backend.</summary>
    Acks,
}

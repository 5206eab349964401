namespace IoTPlatform.Broker;

/// <summary>What a handler made of a device's publish; the broker turns it into the PUBACK.</summary>
public enum PublishOutcome
{
    /// <summary>Taken (and durable where the handler promises that): PUBACK success.</summary>
    Accepted,

    /// <summary>Malformed or invalid: acknowledged so the device's queue never jams (MQTT 5: 0x99).</summary>
    Rejected,

    /// <summary>Could not be made durable now: MQTT 5 PUBACK 0x97, the device keeps it and retries.</summary>
    Withheld,
}

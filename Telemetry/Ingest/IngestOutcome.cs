namespace IoTPlatform.Telemetry.Ingest;

/// <summary>What the ingest made of one publish; the broker turns it into the PUBACK.</summary>
public enum IngestOutcome
{
    /// <summary>Every acceptable item is durable (stored now or before): PUBACK success.</summary>
    Accepted,

    /// <summary>Nothing in the payload is acceptable: acknowledged with 0x99 so the device's queue never jams.</summary>
    Rejected,

    /// <summary>Could not be made durable now: PUBACK withheld (0x97), the device keeps it and retries.</summary>
    Withheld,
}

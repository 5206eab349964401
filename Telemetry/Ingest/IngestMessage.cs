using System.Buffers;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// One publish on a device's <c>telemetry</c> or <c>events</c> topic as it passes the ingest steps: the
/// payload, the items decoded from it and what each step decided.
/// </summary>
public sealed class IngestMessage(string deviceId, DeviceKind kind, int slotCount, TopicKind topic, ReadOnlySequence<byte> payload, long receivedAtMs)
{
    public string DeviceId { get; } = deviceId;

    public DeviceKind Kind { get; } = kind;

    /// <summary>The kiosk's slot count; 0 for a bike.</summary>
    public int SlotCount { get; } = slotCount;

    public TopicKind Topic { get; } = topic;

    /// <summary>The raw payload; valid only while the broker awaits the pipeline.</summary>
    public ReadOnlySequence<byte> Payload { get; } = payload;

    /// <summary>Receiver time, Unix epoch milliseconds.</summary>
    public long ReceivedAtMs { get; } = receivedAtMs;

    public List<IngestItem> Items { get; } = [];

    /// <summary>Why the payload as a whole was refused (a decode reason); null when it decoded.</summary>
    public string? PayloadRejectedReason { get; private set; }

    /// <summary>The history store could not take the items now: the PUBACK is withheld.</summary>
    public bool IsWithheld { get; private set; }

    /// <summary>Set by the store step once the items to store are committed.</summary>
    public bool IsDurable { get; set; }

    /// <summary>The keys this message holds in the key index until it is settled.</summary>
    internal KeyReservation? Reservation { get; set; }

    /// <summary>No further step runs: the payload was refused or the message withheld.</summary>
    public bool IsFinished => PayloadRejectedReason is not null || IsWithheld;

    public IEnumerable<IngestItem> ItemsToStore => Items.Where(i => i.IsToStore);

    public void RejectPayload(string reason) => PayloadRejectedReason ??= reason;

    public void Withhold() => IsWithheld = true;

    public IngestOutcome Outcome =>
        IsWithheld ? IngestOutcome.Withheld
        : PayloadRejectedReason is not null || (Items.Count > 0 && Items.All(i => i.RejectedReason is not null)) ? IngestOutcome.Rejected
        : IngestOutcome.Accepted;
}

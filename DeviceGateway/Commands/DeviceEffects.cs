using System.Buffers;
using System.Text;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// The effects of a <c>done</c> ack on the device's own records: its latest lock (<see cref="LatestStateStore"/>) and,
/// for a jam, a <c>jammed</c> event written through the ingest pipeline like any device event — de-duplicated,
/// group-committed, durable before the ack's PUBACK, and folded into the latest state.
/// </summary>
public sealed class DeviceEffects(LatestStateStore latest, IngestPipeline pipeline, DeviceShapes shapes, TimeProvider time) : ICommandEffects
{
    /// <summary>
    /// The seq of a jam event the backend writes: 2⁵² plus 32 bits of a hash of the command id. Far above any seq a device
    /// counts to (so it never takes a device's key), below 2⁵³ (exact in JavaScript clients), and the same for a re-sent
    /// ack, so the event is stored once.
    /// </summary>
    public static long JamSeq(string commandId) =>
        (1L << 52) | (long)(System.IO.Hashing.XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(commandId)) & uint.MaxValue);

    public async Task LockReportedAsync(string deviceId, CommandAck ack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Slot is null)
        {
            await latest.ApplyAckedLockAsync(deviceId, ack.Lock, ack.Ts, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> RecordJamAsync(CommandRecord command, CommandAck ack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ack);
        if (await shapes.GetAsync(command.DeviceId, cancellationToken).ConfigureAwait(false) is not { } shape)
        {
            return true; // decommissioned meanwhile: nothing to record it for
        }

        var jam = new DeviceEvent
        {
            Seq = JamSeq(command.Id),
            Ts = ack.Ts,
            Type = EventType.Jammed,
            Lock = ack.Slot is null ? LockState.Jammed : null,
            Slot = ack.Slot,
            Reason = $"{command.Action.ToWireName()}-failed",
        };
        var message = new IngestMessage(
            command.DeviceId, shape.Kind, shape.Slots, TopicKind.Events, new ReadOnlySequence<byte>(PayloadCodec.Encode(jam)), time.GetUtcNow().ToUnixTimeMilliseconds());
        return await pipeline.RunAsync(message, cancellationToken).ConfigureAwait(false) != IngestOutcome.Withheld;
    }
}

using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>What a command's <c>done</c> ack tells about the device beyond the ledger: its lock, and a jam for the crews.</summary>
public interface ICommandEffects
{
    /// <summary>The lock state the device sensed when it acked (folded into its latest state by device time).</summary>
    Task LockReportedAsync(string deviceId, CommandAck ack, CancellationToken cancellationToken);

    /// <summary>Stores a <c>jammed</c> event in the device's history; false when the history cannot take it now (the device re-sends its ack).</summary>
    Task<bool> RecordJamAsync(CommandRecord command, CommandAck ack, CancellationToken cancellationToken);
}

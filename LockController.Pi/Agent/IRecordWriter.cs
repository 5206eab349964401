using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>
/// Where everything the controller says goes first: the on-disk outbox. A reading or an event is given as a draft;
/// the writer stamps it with the next <c>seq</c> and the trusted clock's <c>ts</c>, validates it as the backend will
/// (<see cref="PayloadValidator"/>: what the backend must reject is never sent), and appends it. Thread-safe.
/// </summary>
public interface IRecordWriter
{
    /// <summary>Appends a reading; <c>seq</c> and <c>ts</c> of the draft are replaced. Returns what was appended, or null when it was invalid (logged and counted).</summary>
    ValueTask<Reading?> AppendAsync(Reading draft, CancellationToken cancellationToken);

    /// <summary>Appends an event; <c>seq</c> and <c>ts</c> of the draft are replaced. Returns what was appended, or null when it was invalid (logged and counted).</summary>
    ValueTask<DeviceEvent?> AppendAsync(DeviceEvent draft, CancellationToken cancellationToken);

    /// <summary>Appends a command ack as it is (the executor stamps its <c>ts</c>). False when it was invalid (logged and counted).</summary>
    ValueTask<bool> AppendAsync(CommandAck ack, CancellationToken cancellationToken);
}

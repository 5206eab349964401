namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Counters of <see cref="CommandExecutor"/>.</summary>
/// <param name="Payloads">Command payloads handed to the executor.</param>
/// <param name="Undecodable">Payloads that are not a command at all (no ack: no id to ack).</param>
/// <param name="Invalid">Decoded commands with a field the protocol does not allow (rejected; without a usable id, not acked).</param>
/// <param name="BadSignature">Commands whose signature did not verify for this device (rejected <c>bad-signature</c>).</param>
/// <param name="Duplicates">Repeated ids answered with the recorded acks, not actuated.</param>
/// <param name="Rejected">Rejections by reason, invalid and bad signatures included.</param>
/// <param name="Succeeded">Actuations the sensor confirmed (<c>done ok</c>).</param>
/// <param name="Failed">Actuations the sensor did not confirm (<c>done failed</c>).</param>
/// <param name="Interrupted">Commands found accepted without an outcome (a power cut during the run), answered from the sensor.</param>
/// <param name="StoreFailures">Commands not actuated because their id could not be recorded, and outcomes not recorded.</param>
/// <param name="AckSendFailures">Acks that could not be handed to the sender.</param>
public sealed record CommandExecutorStats(
    long Payloads,
    long Undecodable,
    long Invalid,
    long BadSignature,
    long Duplicates,
    IReadOnlyDictionary<string, long> Rejected,
    long Succeeded,
    long Failed,
    long Interrupted,
    long StoreFailures,
    long AckSendFailures);

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Counters of <see cref="ExecutedCommandStore"/>.</summary>
/// <param name="Entries">Ids held now.</param>
/// <param name="Unfinished">Ids accepted without an outcome (running, or interrupted by a power cut).</param>
/// <param name="Bytes">Size of the file.</param>
/// <param name="Appended">Records appended (each fsynced) since open.</param>
/// <param name="TornTailsRepaired">Torn or corrupt tails cut off at open.</param>
/// <param name="UnreadableRecords">Records with a good CRC that could not be read (skipped).</param>
/// <param name="Pruned">Ids pruned since open.</param>
/// <param name="WriteFailures">Appends that failed (the command was not actuated).</param>
public sealed record ExecutedCommandStoreStats(int Entries, int Unfinished, long Bytes, long Appended, long TornTailsRepaired, long UnreadableRecords, long Pruned, long WriteFailures);

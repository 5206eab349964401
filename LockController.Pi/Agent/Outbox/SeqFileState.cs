namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>What <see cref="SeqCounter.TryRead"/> found.</summary>
public enum SeqFileState
{
    /// <summary>No file: the counter starts at <see cref="SeqCounter.FirstValue"/>.</summary>
    Missing,

    /// <summary>A good file.</summary>
    Good,

    /// <summary>A file that does not parse or whose CRC does not match: the counter refuses to start.</summary>
    Corrupt,
}

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// The keys one message reserved in the <see cref="KeyIndex"/>. Settled exactly once: as stored (the keys
/// become "seen") or not (they are free again and whoever waited on them is told to retry).
/// </summary>
internal sealed class KeyReservation(KeyIndex index, string deviceId, IReadOnlyList<ItemKey> keys)
{
    private readonly TaskCompletionSource<bool> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string DeviceId { get; } = deviceId;

    public IReadOnlyList<ItemKey> Keys { get; } = keys;

    /// <summary>Completes with true when the keys were stored, false when they were released.</summary>
    public Task<bool> Settled => _settled.Task;

    public void Settle(bool stored)
    {
        if (_settled.Task.IsCompleted)
        {
            return;
        }

        index.Settle(this, stored);
        _settled.TrySetResult(stored);
    }
}

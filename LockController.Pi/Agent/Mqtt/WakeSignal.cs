namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>An auto-reset signal a loop waits on: <see cref="Set"/> from any thread wakes the waiter (or the next one to wait).</summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the waiter.</summary>
    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Waits until <see cref="Set"/> was called since the last wait ended, then resets.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await Volatile.Read(ref _signal).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}

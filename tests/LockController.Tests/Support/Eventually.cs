namespace IoTPlatform.LockController.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes (no fixed sleeps).</summary>
internal static class Eventually
{
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan deadline, Action? between = null)
    {
        using var cts = new CancellationTokenSource(deadline);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
                return false;
            between?.Invoke();
            await Task.Yield();
            await Task.Delay(5, CancellationToken.None);
        }
        return true;
    }
}

namespace IoTPlatform.Telemetry.Tests.Infrastructure;

/// <summary>Waits for a condition by polling, with a deadline instead of a fixed sleep.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutSeconds = 10)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeoutSeconds} s waiting for: {what}");
            }

            await Task.Delay(10);
        }
    }
}

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes (for effects written in the background).</summary>
public static class Eventually
{
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Within {timeout.TotalSeconds:0.#} s: {what}; last seen: {value}");
            }

            await Task.Delay(25);
        }
    }
}

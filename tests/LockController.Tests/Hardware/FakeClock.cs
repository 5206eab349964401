using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>
/// Moves a <see cref="FakeTimeProvider"/> in small steps, yielding between steps so that continuations on the
/// thread pool (after a pulse, after a confirmation) get to run. A continuation that runs late only starts its own
/// timers later in fake time, so results hold and measured durations are lower bounds. Bounded in virtual and real time.
/// </summary>
internal static class FakeClock
{
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan RealLimit = TimeSpan.FromSeconds(5);

    /// <summary>Advances until <paramref name="task"/> completes and returns its result.</summary>
    public static async Task<T> RunAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan maxVirtual)
    {
        TimeSpan advanced = TimeSpan.Zero;
        var real = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            if (advanced > maxVirtual || real.Elapsed > RealLimit)
                throw new TimeoutException($"Not done after {advanced.TotalMilliseconds} ms of fake time ({real.ElapsedMilliseconds} ms real).");
            await Pause(advanced);
            time.Advance(Step);
            advanced += Step;
        }
        return await task;
    }

    /// <summary>Advances by <paramref name="duration"/> in steps.</summary>
    public static async Task PassAsync(this FakeTimeProvider time, TimeSpan duration)
    {
        for (TimeSpan passed = TimeSpan.Zero; passed < duration; passed += Step)
        {
            time.Advance(Step);
            await Pause(passed);
        }
    }

    // Mostly a yield; now and then a real millisecond so that a busy thread pool catches up.
    private static Task Pause(TimeSpan virtualSoFar) =>
        (long)(virtualSoFar / Step) % 10 == 0 ? Task.Delay(1) : Task.Run(static () => { });
}

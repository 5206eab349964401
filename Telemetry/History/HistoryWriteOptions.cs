using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.Telemetry.History;

/// <summary>The "history-write" resilience pipeline and the spool replay's backoff. Section <c>Storage:HistoryWrite</c>.</summary>
public sealed class HistoryWriteOptions
{
    public const string Section = "Storage:HistoryWrite";

    /// <summary>Time one write attempt may take before it counts as failed (a store that honours cancellation is cut off).</summary>
    [Range(10, 600_000)]
    public int AttemptTimeoutMilliseconds { get; set; } = 5000;

    /// <summary>Retries of a failed write before the batch goes to the spool; 0 for none.</summary>
    [Range(0, 10)]
    public int RetryAttempts { get; set; } = 2;

    /// <summary>Base delay of the retries (exponential, jittered).</summary>
    [Range(0, 60_000)]
    public int RetryDelayMilliseconds { get; set; } = 100;

    /// <summary>Attempts within 30 s before the circuit breaker may open (it opens at half of them failing).</summary>
    [Range(2, 10_000)]
    public int BreakerMinimumThroughput { get; set; } = 4;

    /// <summary>How long an open circuit refuses writes at once (no attempt reaches the store).</summary>
    [Range(500, 3_600_000)]
    public int BreakDurationMilliseconds { get; set; } = 5000;

    /// <summary>First wait of the spool replay after a failed write; it doubles up to <see cref="ReplayBackoffMaxMilliseconds"/>.</summary>
    [Range(1, 600_000)]
    public int ReplayBackoffMinMilliseconds { get; set; } = 500;

    /// <summary>Longest wait of the spool replay between attempts while the store is down.</summary>
    [Range(1, 600_000)]
    public int ReplayBackoffMaxMilliseconds { get; set; } = 30_000;
}

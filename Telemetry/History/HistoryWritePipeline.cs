using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace IoTPlatform.Telemetry.History;

/// <summary>
/// The "history-write" resilience pipeline, declared here once: a short jittered retry around a circuit
/// breaker around a per-attempt timeout. An open circuit is not retried: the batch goes to the spool at once.
/// </summary>
public static class HistoryWritePipeline
{
    public const string Name = "history-write";

    /// <summary>Adds the strategies to <paramref name="builder"/> (used by the DI registration and by tests alike).</summary>
    public static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder, HistoryWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not BrokenCircuitException and not OperationCanceledException),
                MaxRetryAttempts = options.RetryAttempts,
                Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                FailureRatio = 0.5,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromMilliseconds(options.BreakDurationMilliseconds),
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = TimeSpan.FromMilliseconds(options.AttemptTimeoutMilliseconds) });
    }

    /// <summary>Builds the pipeline outside DI.</summary>
    public static ResiliencePipeline Build(HistoryWriteOptions options, TimeProvider time) =>
        Configure(new ResiliencePipelineBuilder { TimeProvider = time }, options).Build();
}

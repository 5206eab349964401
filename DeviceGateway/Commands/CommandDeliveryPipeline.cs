using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// The "command-delivery" resilience pipeline: a jittered exponential retry around a per-attempt timeout. An attempt
/// publishes the command and waits for the device's <c>received</c> ack; a retry re-sends the SAME command (same id,
/// same signature). It never ends by itself: the caller bounds it by the command's <c>expiresAt</c>.
/// </summary>
public static class CommandDeliveryPipeline
{
    public const string Name = "command-delivery";

    public static ResiliencePipeline<DeliveryAttempt> Build(CommandOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ResiliencePipelineBuilder<DeliveryAttempt> { Name = Name, TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<DeliveryAttempt>
            {
                ShouldHandle = new PredicateBuilder<DeliveryAttempt>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                MaxDelay = TimeSpan.FromMilliseconds(Math.Max(options.RetryBaseDelayMilliseconds, options.RetryMaxDelayMilliseconds)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddTimeout(TimeSpan.FromMilliseconds(options.AttemptTimeoutMilliseconds))
            .Build();
    }
}

/// <summary>How one delivery attempt ended.</summary>
public enum DeliveryAttempt
{
    /// <summary>The command moved on (acked, cancelled, ended): stop sending.</summary>
    Settled,

    /// <summary>The device has no subscribed session now: wait until it subscribes again.</summary>
    DeviceGone,
}

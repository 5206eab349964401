using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>The command service: limits, delivery retries and deadlines. Section <c>Commands</c>.</summary>
public sealed class CommandOptions
{
    public const string Section = "Commands";

    /// <summary>New commands one device may get within any 60 s; more are refused with 429. Repeats of an Idempotency-Key do not count.</summary>
    [Range(1, 10_000)]
    public int MaxPerDevicePerMinute { get; set; } = 20;

    /// <summary>After each publish, how long to wait for the device's <c>received</c> ack before sending the same command again.</summary>
    [Range(50, 600_000)]
    public int AttemptTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>First pause between attempts; it doubles (with jitter) up to <see cref="RetryMaxDelayMilliseconds"/>.</summary>
    [Range(1, 600_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 500;

    [Range(1, 600_000)]
    public int RetryMaxDelayMilliseconds { get; set; } = 5000;

    /// <summary>After <c>received</c>, a <c>done</c> must come within this, or the command is TIMED_OUT.</summary>
    [Range(1, 3600)]
    public int DoneTimeoutSeconds { get; set; } = 15;

    /// <summary>Default <c>ttlSeconds</c> of a command: its <c>expiresAt</c> is this far after its creation.</summary>
    [Range(MinTtlSeconds, MaxTtlSeconds)]
    public int DefaultTtlSeconds { get; set; } = 30;

    public const int MinTtlSeconds = 1;
    public const int MaxTtlSeconds = 600;

    /// <summary>The longest <c>?wait=</c> of a POST, seconds.</summary>
    public const int MaxWaitSeconds = 30;
}

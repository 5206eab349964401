using MQTTnet;
using Polly;
using Polly.Retry;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>
/// The "mqtt-reconnect" resilience pipeline around one connect attempt: retried for ever (until shutdown) with
/// jittered exponential backoff from <see cref="MqttOptions.ReconnectDelayMilliseconds"/> to
/// <see cref="MqttOptions.ReconnectMaxDelayMilliseconds"/>. An attempt fails when it throws (no route, refused,
/// timeout) or when the broker answers CONNACK with a failure code — MQTTnet 5 returns that code instead of throwing.
/// Refused credentials or an unauthorised device wait <see cref="MqttOptions.BadCredentialsDelaySeconds"/>: a
/// retry at once cannot succeed, and hammering the broker with a bad secret helps nobody.
/// </summary>
public static class ReconnectPipeline
{
    /// <summary>The pipeline's name (telemetry, logs).</summary>
    public const string Name = "mqtt-reconnect";

    /// <summary>The pipeline; <paramref name="onRetry"/> is told about each failed attempt and the pause before the next.</summary>
    public static ResiliencePipeline<MqttClientConnectResult> Build(MqttOptions options, TimeProvider time, Func<OnRetryArguments<MqttClientConnectResult>, ValueTask>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        TimeSpan badCredentials = TimeSpan.FromSeconds(options.BadCredentialsDelaySeconds);
        return new ResiliencePipelineBuilder<MqttClientConnectResult> { Name = Name, TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<MqttClientConnectResult>
            {
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.CancellationToken)),
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromMilliseconds(options.ReconnectDelayMilliseconds),
                MaxDelay = TimeSpan.FromMilliseconds(Math.Max(options.ReconnectDelayMilliseconds, options.ReconnectMaxDelayMilliseconds)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(IsRefusedIdentity(args.Outcome.Result?.ResultCode) ? badCredentials : null),
                OnRetry = onRetry,
            })
            .Build();
    }

    /// <summary>True when an attempt's outcome calls for another attempt: any failure except the shutdown's own cancellation.</summary>
    public static bool ShouldRetry(Outcome<MqttClientConnectResult> outcome, CancellationToken shutdown) => outcome.Exception switch
    {
        OperationCanceledException when shutdown.IsCancellationRequested => false,
        null => outcome.Result?.ResultCode != MqttClientConnectResultCode.Success,
        _ => true,
    };

    /// <summary>True for CONNACK codes that say this device may not connect as it is: bad user name or password, not authorised, banned.</summary>
    public static bool IsRefusedIdentity(MqttClientConnectResultCode? code) =>
        code is MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.Banned
            or MqttClientConnectResultCode.ClientIdentifierNotValid;
}

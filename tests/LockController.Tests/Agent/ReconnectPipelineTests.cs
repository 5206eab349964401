using System.Net.Sockets;
using IoTPlatform.LockController.Pi.Agent.Mqtt;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using Polly;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>The mqtt-reconnect pipeline's settings: what is retried, and how long it waits (refused credentials: long).</summary>
[TestFixture]
public sealed class ReconnectPipelineTests
{
    private static readonly MqttOptions Options = new() { ReconnectDelayMilliseconds = 1000, ReconnectMaxDelayMilliseconds = 8000, BadCredentialsDelaySeconds = 120 };

    private static MqttClientConnectResult Connack(MqttClientConnectResultCode code) => new() { ResultCode = code };

    [Test]
    public void Every_failure_is_retried_except_the_shutdown_itself()
    {
        using var shutdown = new CancellationTokenSource();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ReconnectPipeline.ShouldRetry(Outcome.FromResult(Connack(MqttClientConnectResultCode.Success)), shutdown.Token), Is.False);
            Assert.That(ReconnectPipeline.ShouldRetry(Outcome.FromResult(Connack(MqttClientConnectResultCode.ServerUnavailable)), shutdown.Token), Is.True);
            Assert.That(ReconnectPipeline.ShouldRetry(Outcome.FromResult(Connack(MqttClientConnectResultCode.BadUserNameOrPassword)), shutdown.Token), Is.True);
            Assert.That(ReconnectPipeline.ShouldRetry(Outcome.FromException<MqttClientConnectResult>(new SocketException()), shutdown.Token), Is.True);
            Assert.That(ReconnectPipeline.ShouldRetry(Outcome.FromException<MqttClientConnectResult>(new OperationCanceledException()), shutdown.Token), Is.True, "a connect timeout");
        }
        shutdown.Cancel();
        Assert.That(ReconnectPipeline.ShouldRetry(Outcome.FromException<MqttClientConnectResult>(new OperationCanceledException()), shutdown.Token), Is.False);
    }

    [Test]
    public async Task Refused_credentials_wait_the_long_delay_other_failures_back_off_with_jitter_up_to_the_maximum()
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        ResiliencePipeline<MqttClientConnectResult> pipeline = ReconnectPipeline.Build(Options, time, args =>
        {
            delays.Add(args.RetryDelay);
            return ValueTask.CompletedTask;
        });
        var answers = new Queue<Func<MqttClientConnectResult>>(
        [
            () => Connack(MqttClientConnectResultCode.BadUserNameOrPassword),
            () => Connack(MqttClientConnectResultCode.NotAuthorized),
            .. Enumerable.Repeat<Func<MqttClientConnectResult>>(() => throw new SocketException((int)SocketError.ConnectionRefused), 8),
            () => Connack(MqttClientConnectResultCode.Success),
        ]);
        Task<MqttClientConnectResult> connecting = pipeline.ExecuteAsync(_ => ValueTask.FromResult(answers.Dequeue()()), CancellationToken.None).AsTask();
        for (int i = 0; i < 2000 && !connecting.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }
        MqttClientConnectResult connected = await connecting.WaitAsync(TimeSpan.FromSeconds(5));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(connected.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));
            Assert.That(delays, Has.Count.EqualTo(10));
            Assert.That(delays.Take(2), Is.All.EqualTo(TimeSpan.FromSeconds(120)), "refused credentials");
            Assert.That(delays.Skip(2).All(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(8)), Is.True, $"jittered, capped at 8 s: {string.Join(", ", delays)}");
            Assert.That(delays.Skip(2).Distinct().Count(), Is.GreaterThan(1), "jitter");
        }
    }

    [Test]
    public void The_identity_refusals_are_the_codes_a_retry_cannot_fix()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ReconnectPipeline.IsRefusedIdentity(MqttClientConnectResultCode.BadUserNameOrPassword), Is.True);
            Assert.That(ReconnectPipeline.IsRefusedIdentity(MqttClientConnectResultCode.NotAuthorized), Is.True);
            Assert.That(ReconnectPipeline.IsRefusedIdentity(MqttClientConnectResultCode.ServerUnavailable), Is.False);
            Assert.That(ReconnectPipeline.IsRefusedIdentity(null), Is.False);
        }
    }
}

using IoTPlatform.Telemetry.History;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IoTPlatform.Telemetry.Tests.Spool;

public sealed class HistoryWritePipelineTests
{
    [Test]
    public void A_failing_write_is_tried_once_more_per_retry()
    {
        var pipeline = HistoryWritePipeline.Build(new HistoryWriteOptions { RetryAttempts = 2, RetryDelayMilliseconds = 0 }, new FakeTimeProvider());
        var calls = 0;

        Assert.That(() => pipeline.Execute(() => { calls++; throw new IOException("down"); }), Throws.TypeOf<IOException>());
        Assert.That(calls, Is.EqualTo(3));
    }

    [Test]
    public void The_circuit_opens_after_the_minimum_throughput_of_failures_and_is_not_retried()
    {
        var time = new FakeTimeProvider();
        var pipeline = HistoryWritePipeline.Build(
            new HistoryWriteOptions { RetryAttempts = 1, RetryDelayMilliseconds = 0, BreakerMinimumThroughput = 2, BreakDurationMilliseconds = 1000 }, time);
        var calls = 0;

        Assert.That(() => pipeline.Execute(() => { calls++; throw new IOException("down"); }), Throws.TypeOf<IOException>());
        Assert.That(calls, Is.EqualTo(2), "the attempt and its retry: two failures open the circuit");
        Assert.That(() => pipeline.Execute(() => ++calls), Throws.TypeOf<BrokenCircuitException>());
        Assert.That(calls, Is.EqualTo(2), "an open circuit refuses without a call, and that is not retried");

        time.Advance(TimeSpan.FromMilliseconds(1001));
        Assert.That(pipeline.Execute(() => ++calls), Is.EqualTo(3), "after the break a write goes through again");
    }

    [Test]
    public void An_attempt_that_overruns_its_timeout_fails()
    {
        var time = new FakeTimeProvider();
        var pipeline = HistoryWritePipeline.Build(new HistoryWriteOptions { RetryAttempts = 0, AttemptTimeoutMilliseconds = 100 }, time);

        var write = pipeline.ExecuteAsync(async token => await Task.Delay(Timeout.Infinite, token)).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(101));

        Assert.That(async () => await write.WaitAsync(TimeSpan.FromSeconds(10)), Throws.TypeOf<TimeoutRejectedException>());
    }
}

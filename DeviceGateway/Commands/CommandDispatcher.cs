using System.Collections.Concurrent;
using IoTPlatform.DeviceProtocol;
using Polly;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// Runs every open command to its end, one loop per command: while QUEUED or SENT, wait until the device is subscribed
/// and deliver through <see cref="CommandDeliveryPipeline"/> until it acks <c>received</c>, all bounded by
/// <c>expiresAt</c> (then EXPIRED: never sent late); while DELIVERED, wait for <c>done</c> until
/// <see cref="CommandOptions.DoneTimeoutSeconds"/> after <c>received</c> (then TIMED_OUT). At start it resumes every
/// open command of the ledger; at stop it leaves them open for the next start.
/// </summary>
public sealed class CommandDispatcher : IHostedService, IDisposable
{
    private readonly CommandService _service;
    private readonly CommandLedger _ledger;
    private readonly ICommandLink _link;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandDispatcher> _logger;
    private readonly ResiliencePipeline<DeliveryAttempt> _pipeline;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

    // Loops asked to run while the command's loop was ending (a late ack revived the command): started again then.
    private readonly HashSet<string> _again = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _subscribed = new(StringComparer.Ordinal);

    public CommandDispatcher(CommandService service, CommandLedger ledger, ICommandLink link, TimeProvider time, ILogger<CommandDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(link);
        _service = service;
        _ledger = ledger;
        _link = link;
        _time = time;
        _logger = logger;
        _pipeline = CommandDeliveryPipeline.Build(service.Options, time);
        _service.Created += Run;
        _link.Subscribed += OnSubscribed;
    }

    /// <summary>Commands being run now.</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var open = await _ledger.OpenCommandsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var command in open)
        {
            Run(command);
        }

        if (open.Count > 0)
        {
            Log.CommandsResumed(_logger, open.Count);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] loops;
        lock (_gate)
        {
            loops = [.. _running.Values];
        }

        await Task.WhenAll(loops).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the loop of <paramref name="command"/> unless one runs already.</summary>
    public void Run(CommandRecord command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Start(command.Id);
    }

    private void Start(string id)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            if (_running.ContainsKey(id))
            {
                _again.Add(id); // it may be ending on a state read before this call
                return;
            }

            _running[id] = Task.Run(() => RunAsync(id));
        }
    }

    private void Ended(string id)
    {
        bool again;
        lock (_gate)
        {
            _running.Remove(id);
            again = _again.Remove(id);
        }

        if (again)
        {
            Start(id);
        }
    }

    private async Task RunAsync(string id)
    {
        var stopping = _stopping.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var changed = _service.ChangeOf(id);
                if (await _ledger.GetAsync(id, stopping).ConfigureAwait(false) is not { } command || command.State.IsEnded())
                {
                    return;
                }

                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (command.State == CommandState.Delivered)
                {
                    var deadline = (command.DeliveredAt ?? now) + (_service.Options.DoneTimeoutSeconds * 1000L);
                    if (now >= deadline)
                    {
                        await _service.TryMoveAsync(command, CommandState.TimedOut, $"no done ack within {_service.Options.DoneTimeoutSeconds} s of received", cancellationToken: stopping)
                            .ConfigureAwait(false);
                        continue;
                    }

                    await WaitAsync(changed, TimeSpan.FromMilliseconds(deadline - now), stopping).ConfigureAwait(false);
                    continue;
                }

                if (now >= command.ExpiresAt)
                {
                    await _service.TryMoveAsync(command, CommandState.Expired, command.Attempts == 0 ? "never sent before expiresAt" : "not received before expiresAt", cancellationToken: stopping)
                        .ConfigureAwait(false);
                    continue;
                }

                await DeliverAsync(command, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Left open in the ledger; the next start resumes it.
        }
#pragma warning disable CA1031 // One command's failure must not end the others; it is logged and resumed at the next start.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.CommandLoopFailed(_logger, e, id);
        }
        finally
        {
            Ended(id);
        }
    }

    /// <summary>Until the device acks, the command ends otherwise, or it expires: wait for the device's subscription, then send and re-send.</summary>
    private async Task DeliverAsync(CommandRecord command, CancellationToken stopping)
    {
        var payload = PayloadCodec.Encode(command.ToDeviceCommand());
        using var expiry = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, command.ExpiresAt - _time.GetUtcNow().ToUnixTimeMilliseconds())), _time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(expiry.Token, stopping);
        try
        {
            while (true)
            {
                var changed = _service.ChangeOf(command.Id);
                var subscribed = SubscriptionOf(command.DeviceId);
                if (await _ledger.GetAsync(command.Id, bounded.Token).ConfigureAwait(false) is not { State: CommandState.Queued or CommandState.Sent })
                {
                    return;
                }

                if (!_link.IsSubscribed(command.DeviceId))
                {
                    await Task.WhenAny(changed, subscribed).WaitAsync(bounded.Token).ConfigureAwait(false);
                    continue;
                }

                var result = await _pipeline.ExecuteAsync(
                    static async (state, attemptToken) => await state.Dispatcher.AttemptAsync(state.Command, state.Payload, attemptToken).ConfigureAwait(false),
                    (Dispatcher: this, Command: command, Payload: payload),
                    bounded.Token).ConfigureAwait(false);
                if (result == DeliveryAttempt.Settled)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            // expiresAt passed: the loop moves it to EXPIRED.
        }
    }

    /// <summary>One attempt: publish the command, count it, and wait until the device acks (or anything else moves the command).</summary>
    private async ValueTask<DeliveryAttempt> AttemptAsync(CommandRecord command, byte[] payload, CancellationToken attemptToken)
    {
        if (await _ledger.GetAsync(command.Id, attemptToken).ConfigureAwait(false) is not { State: CommandState.Queued or CommandState.Sent } current)
        {
            return DeliveryAttempt.Settled;
        }

        if (_time.GetUtcNow().ToUnixTimeMilliseconds() >= command.ExpiresAt)
        {
            return DeliveryAttempt.Settled; // never sent late: the loop moves it to EXPIRED
        }

        if (!await _link.SendAsync(command.DeviceId, payload, attemptToken).ConfigureAwait(false))
        {
            return DeliveryAttempt.DeviceGone;
        }

        await _service.RecordSendAsync(current, attemptToken).ConfigureAwait(false);
        Log.CommandSent(_logger, command.Id, command.DeviceId, current.Attempts + 1);
        while (true)
        {
            var changed = _service.ChangeOf(command.Id);
            if (await _ledger.GetAsync(command.Id, attemptToken).ConfigureAwait(false) is not { State: CommandState.Sent })
            {
                return DeliveryAttempt.Settled;
            }

            await changed.WaitAsync(attemptToken).ConfigureAwait(false);
        }
    }

    private Task SubscriptionOf(string deviceId) =>
        _subscribed.GetOrAdd(deviceId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void OnSubscribed(string deviceId)
    {
        if (_subscribed.TryRemove(deviceId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    private async Task WaitAsync(Task changed, TimeSpan timeout, CancellationToken stopping)
    {
        try
        {
            await changed.WaitAsync(timeout, _time, stopping).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The deadline came; the loop decides.
        }
    }

    public void Dispose()
    {
        _service.Created -= Run;
        _link.Subscribed -= OnSubscribed;
        _stopping.Dispose();
    }
}

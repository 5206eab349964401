using System.Collections.Concurrent;
using IoTPlatform.DeviceGateway.Commands.Signing;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// The command ledger's rules: creating a command (idempotent per device and key, rate-limited, signed), cancelling,
/// applying a device's acks, and every other change of state. Changes go through <see cref="CommandLedger"/>'s
/// compare-and-set, so an ack, a cancel and a deadline racing for the same command cannot both win; whoever waits
/// on a command (<see cref="WaitUntilEndedAsync"/>, the delivery loop) is woken by every change.
/// </summary>
public sealed class CommandService : IDisposable
{
    private const int MaxRaceRetries = 8;

    private readonly CommandLedger _ledger;
    private readonly CommandKeyStore _keys;
    private readonly ICommandLink _link;
    private readonly ICommandEffects _effects;
    private readonly CommandStats _stats;
    private readonly CommandOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandService> _logger;
    private const int CreateGates = 64;

    // A creation's idempotency check, rate count and insert are one step per device (both rules are per device):
    // one gate per stripe of devices, so creations for different devices share the ledger's commits.
    private readonly SemaphoreSlim[] _createGates = [.. Enumerable.Range(0, CreateGates).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _changes = new(StringComparer.Ordinal);

    public CommandService(
        CommandLedger ledger,
        CommandKeyStore keys,
        ICommandLink link,
        ICommandEffects effects,
        CommandStats stats,
        IOptions<CommandOptions> options,
        TimeProvider time,
        ILogger<CommandService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ledger = ledger;
        _keys = keys;
        _link = link;
        _effects = effects;
        _stats = stats;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised (outside any lock) with each command that enters the ledger, for the delivery loop to take it.</summary>
    public event Action<CommandRecord>? Created;

    public CommandOptions Options => _options;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Puts a command for <paramref name="deviceId"/> in the ledger (QUEUED) and hands it to delivery, or answers with the
    /// command this key already made. The request must be valid for the device (the API checks action and slot).
    /// </summary>
    public async Task<CreateResult> CreateAsync(
        string deviceId, CommandAction action, CommandRequest request, string idempotencyKey, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ttl = request.TtlSeconds ?? _options.DefaultTtlSeconds;
        var fingerprint = request.Fingerprint(ttl);
        CommandRecord command;
        var createGate = _createGates[(uint)StringComparer.Ordinal.GetHashCode(deviceId) % CreateGates];
        await createGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await _ledger.GetByKeyAsync(deviceId, idempotencyKey, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                if (string.Equals(existing.Request, fingerprint, StringComparison.Ordinal))
                {
                    return new CreateResult(CreateOutcome.Repeated, existing);
                }

                _stats.Refused("idempotency-key-reused");
                return new CreateResult(CreateOutcome.KeyReused, existing);
            }

            if (!(request.QueueIfOffline ?? false) && !_link.IsOnline(deviceId))
            {
                _stats.Refused("device-offline");
                return new CreateResult(CreateOutcome.Offline, null);
            }

            var now = Now;
            if (await _ledger.CountCreatedSinceAsync(deviceId, now - 60_000, cancellationToken).ConfigureAwait(false) >= _options.MaxPerDevicePerMinute)
            {
                _stats.Refused("rate-limited");
                return new CreateResult(CreateOutcome.RateLimited, null);
            }

            var id = CommandId.New(now);
            var expiresAt = now + (ttl * 1000L);
            var signed = _keys.Current.Sign(deviceId, id, action, request.Slot, now, expiresAt);
            command = new CommandRecord
            {
                Id = id,
                DeviceId = deviceId,
                IdempotencyKey = idempotencyKey,
                Request = fingerprint,
                Action = action,
                Slot = request.Slot,
                State = CommandState.Queued,
                RequestedBy = requestedBy,
                QueueIfOffline = request.QueueIfOffline ?? false,
                CreatedAt = now,
                ExpiresAt = expiresAt,
                Kid = signed.Kid,
                Sig = signed.Sig,
                History = [new CommandTransition(CommandState.Queued, now, null)],
            };
            if (!await _ledger.TryInsertAsync(command, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Command key '{idempotencyKey}' of {deviceId} appeared outside the create gate.");
            }
        }
        finally
        {
            createGate.Release();
        }

        _stats.CommandCreated(action.ToWireName());
        _stats.Entered(CommandState.Queued);
        Log.CommandCreated(_logger, command.Id, deviceId, action.ToWireName(), command.Slot, requestedBy, ttl);
        Created?.Invoke(command);
        return new CreateResult(CreateOutcome.Created, command);
    }

    public Task<CommandRecord?> GetAsync(string id, CancellationToken cancellationToken) => _ledger.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<CommandRecord>> ListAsync(string deviceId, long fromMs, long toMs, CommandState? state, int limit, CancellationToken cancellationToken) =>
        _ledger.ListAsync(deviceId, fromMs, toMs, state, limit, cancellationToken);

    /// <summary>Cancels a command the device has not acked yet (QUEUED or SENT). Null when there is no such command.</summary>
    public async Task<(bool Cancelled, CommandRecord Command)?> CancelAsync(string id, string by, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxRaceRetries; attempt++)
        {
            if (await _ledger.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } command)
            {
                return null;
            }

            if (command.State is not (CommandState.Queued or CommandState.Sent))
            {
                return (false, command);
            }

            if (await TryMoveAsync(command, CommandState.Cancelled, $"cancelled by {by}", cancellationToken: cancellationToken).ConfigureAwait(false) is { } moved)
            {
                return (true, moved);
            }
        }

        throw new InvalidOperationException($"Command {id} kept changing while being cancelled.");
    }

    /// <summary>The command once it has ended, or as it is when <paramref name="timeout"/> passes.</summary>
    public async Task<CommandRecord?> WaitUntilEndedAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            // Each change wakes the waiter: it reads the state alone, and the whole command (with its history) once.
            var changed = ChangeOf(id);
            if (await _ledger.GetStateAsync(id, cancellationToken).ConfigureAwait(false) is not { } state || state.IsEnded())
            {
                return await _ledger.GetAsync(id, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return await _ledger.GetAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Completes at the next change of the command. Take it BEFORE reading the command, so no change is missed.</summary>
    public Task ChangeOf(string id) =>
        _changes.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Moves <paramref name="command"/> (as read) to <paramref name="to"/>; null when it had changed meanwhile (re-read and decide
    /// again). Counts, logs and wakes the command's waiters.
    /// </summary>
    public async Task<CommandRecord?> TryMoveAsync(
        CommandRecord command, CommandState to, string? reason = null, bool late = false, int addAttempts = 0, long? deliveredAt = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = Now;
        if (!await _ledger.TryMoveAsync(command.Id, command.State, to, now, reason, late, addAttempts, deliveredAt, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var moved = to == command.State
            ? command with { Attempts = command.Attempts + addAttempts }
            : command with
            {
                State = to,
                Reason = reason,
                Late = command.Late || late,
                Attempts = command.Attempts + addAttempts,
                DeliveredAt = command.DeliveredAt ?? deliveredAt,
                History = [.. command.History, new CommandTransition(to, now, reason)],
            };
        if (to != command.State)
        {
            _stats.Entered(to);
            Log.CommandMoved(_logger, command.Id, command.DeviceId, command.State.ToWireName(), to.ToWireName(), reason, late);
        }

        Wake(command.Id);
        return moved;
    }

    private void Wake(string id)
    {
        if (_changes.TryRemove(id, out var changed))
        {
            changed.TrySetResult();
        }
    }

    /// <summary>Records one publish of the command (QUEUED → SENT the first time), and wakes its waiters.</summary>
    public async Task RecordSendAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var before = await _ledger.RecordSendAsync(command.Id, Now, cancellationToken).ConfigureAwait(false);
        _stats.Attempt();
        if (before == CommandState.Queued)
        {
            _stats.Entered(CommandState.Sent);
            Log.CommandMoved(_logger, command.Id, command.DeviceId, CommandState.Queued.ToWireName(), CommandState.Sent.ToWireName(), null, false);
        }

        Wake(command.Id);
    }

    /// <summary>
    /// Applies a device's ack to its command. Acks that change nothing (unknown id, another device's command, a stage
    /// already recorded) are counted and ignored; a <c>done</c> after the service gave up is recorded with <c>late</c>.
    /// False only when its effects could not be made durable now (the device should send it again).
    /// </summary>
    public async Task<bool> ApplyAckAsync(string deviceId, CommandAck ack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ack);
        for (var attempt = 0; attempt < MaxRaceRetries; attempt++)
        {
            var command = await _ledger.GetAsync(ack.Id, cancellationToken).ConfigureAwait(false);
            if (command is null || !string.Equals(command.DeviceId, deviceId, StringComparison.Ordinal))
            {
                Ignored(CommandStats.AckKinds.Unknown, deviceId, ack);
                return true;
            }

            if (command.State == CommandState.Queued)
            {
                // The device has it, so it was published; the delivery loop's record of that send may come a moment
                // after this ack. Record SENT first so the history says what happened, in order.
                await TryMoveAsync(command, CommandState.Sent, cancellationToken: cancellationToken).ConfigureAwait(false);
                continue;
            }

            var decision = Decide(command, ack);
            if (decision is null)
            {
                Ignored(CommandStats.AckKinds.Duplicate, deviceId, ack);
                return true;
            }

            var (to, reason, late) = decision.Value;
            if (ack.Stage == AckStage.Done && to == CommandState.Failed && ack.Lock == LockState.Jammed
                && !await _effects.RecordJamAsync(command, ack, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            var deliveredAt = to == CommandState.Delivered ? Now : (long?)null;
            if (await TryMoveAsync(command, to, reason, late, deliveredAt: deliveredAt, cancellationToken: cancellationToken).ConfigureAwait(false) is null)
            {
                continue;
            }

            _stats.Ack(late ? CommandStats.AckKinds.Late : CommandStats.AckKinds.Accepted);
            if (ack.Stage == AckStage.Done)
            {
                await _effects.LockReportedAsync(deviceId, ack, cancellationToken).ConfigureAwait(false);
            }

            if (to == CommandState.Delivered && late)
            {
                // Revived: the delivery loop must watch for its done again.
                Created?.Invoke((await _ledger.GetAsync(command.Id, cancellationToken).ConfigureAwait(false))!);
            }

            return true;
        }

        throw new InvalidOperationException($"Command {ack.Id} kept changing while its ack was applied.");
    }

    /// <summary>Counts an ack that changes nothing.</summary>
    public void Ignored(string kind, string deviceId, CommandAck? ack, string? detail = null)
    {
        _stats.Ack(kind);
        if (kind == CommandStats.AckKinds.Malformed)
        {
            Log.AckMalformed(_logger, deviceId, ack?.Id, detail);
        }
        else
        {
            // A re-sent ack (QoS 1 after a lost PUBACK) is normal: counted, not a warning.
            Log.AckIgnored(_logger, deviceId, ack?.Id, ack?.Stage.ToWireName(), kind);
        }
    }

    /// <summary>The state an ack moves a command to, or null when the command already is at or past what it reports.</summary>
    private static (CommandState To, string? Reason, bool Late)? Decide(CommandRecord command, CommandAck ack)
    {
        var gaveUp = command.State is CommandState.TimedOut or CommandState.Expired or CommandState.Cancelled;
        if (ack.Stage == AckStage.Received)
        {
            return command.State switch
            {
                CommandState.Sent => (CommandState.Delivered, null, false),

                // The device took it after all (its clock, or a cancel that came too late): it will act, so say so.
                CommandState.Expired or CommandState.Cancelled => (CommandState.Delivered, $"received after {command.State.ToWireName()}", true),
                _ => null,
            };
        }

        if (command.State.IsPhysicalOutcome())
        {
            return null;
        }

        var outcome = ack.Result switch
        {
            AckResult.Ok => (CommandState.Succeeded, (string?)null),
            AckResult.Failed => (CommandState.Failed, ack.Lock == LockState.Jammed ? "jammed" : ack.Reason ?? "failed"),
            _ => (CommandState.Rejected, ack.Reason),
        };
        return (outcome.Item1, outcome.Item2, gaveUp);
    }

    public void Dispose()
    {
        foreach (var gate in _createGates)
        {
            gate.Dispose();
        }
    }
}

public enum CreateOutcome
{
    Created,
    Repeated,
    KeyReused,
    Offline,
    RateLimited,
}

public sealed record CreateResult(CreateOutcome Outcome, CommandRecord? Command);

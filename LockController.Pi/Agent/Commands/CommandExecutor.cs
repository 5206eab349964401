using System.Collections.Concurrent;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// Executes signed commands on the lock hardware, safely: decode; verify the signature for this device (by kid); a
/// repeated id gets its recorded acks again and nothing else; refuse on an untrusted clock (<c>clock-unsynced</c>),
/// after <c>expiresAt</c> (<c>expired</c>), for an action this hardware has not (<c>unsupported</c>) or a slot it has
/// not (<c>bad-slot</c>); record the id durably; ack <c>received</c>; actuate and confirm with the sensor; record the
/// outcome; ack <c>done</c> (<c>ok</c>, or <c>failed</c> with <c>lock: "jammed"</c>). Rejections of signed commands
/// are recorded too, so a repeat gets the same answer. An id found accepted without an outcome (a power cut while it
/// ran) is never actuated again: it is answered from the sensor (<see cref="ExecutorReasons.Interrupted"/>).
/// One actuation runs at a time per lock (<see cref="LockMechanism"/>). See docs/firmware-commands.md.
/// </summary>
public sealed class CommandExecutor
{
    private readonly string _deviceId;
    private readonly LockHardware _hardware;
    private readonly CommandKeyCache _keys;
    private readonly ExecutedCommandStore _store;
    private readonly ITrustedClock _clock;
    private readonly ILogger _logger;
    private readonly Lock _admission = new();
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _rejected = new(StringComparer.Ordinal);
    private long _payloads;
    private long _undecodable;
    private long _invalid;
    private long _badSignature;
    private long _duplicates;
    private long _succeeded;
    private long _failed;
    private long _interrupted;
    private long _storeFailures;
    private long _ackSendFailures;

    /// <summary>An executor for the device <paramref name="deviceId"/> over its hardware, keys, store and clock (none owned).</summary>
    public CommandExecutor(string deviceId, LockHardware hardware, CommandKeyCache keys, ExecutedCommandStore store, ITrustedClock clock, ILogger<CommandExecutor> logger)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        if (!DeviceId.IsValid(deviceId))
            throw new ArgumentException($"'{deviceId}' is not a device id ({DeviceId.Pattern}).", nameof(deviceId));
        _deviceId = deviceId;
        _hardware = hardware;
        _keys = keys;
        _store = store;
        _clock = clock;
        _logger = logger;
    }

    public CommandExecutorStats Stats => new(
        Interlocked.Read(ref _payloads), Interlocked.Read(ref _undecodable), Interlocked.Read(ref _invalid),
        Interlocked.Read(ref _badSignature), Interlocked.Read(ref _duplicates),
        _rejected.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed), Interlocked.Read(ref _interrupted),
        Interlocked.Read(ref _storeFailures), Interlocked.Read(ref _ackSendFailures));

    /// <summary>
    /// Raised just before a verified, admitted command drives its lock (once per actuation, on the command loop):
    /// a hook for an actuation log kept outside the controller (the fleet simulator's).
    /// </summary>
    public event EventHandler<DeviceCommand>? Actuating;

    /// <summary>
    /// Handles one payload from <c>v1/devices/{id}/commands</c>; acks go to <paramref name="sendAck"/> (a failure to
    /// send is logged and counted: the backend repeats the command and gets the recorded acks). Returns when the
    /// <c>done</c> ack has been handed over. Never throws for bad input; throws <see cref="OperationCanceledException"/>
    /// when cancelled (an actuation cut short is answered as interrupted on the next repeat).
    /// </summary>
    public async Task ExecuteAsync(ReadOnlyMemory<byte> payload, Func<CommandAck, CancellationToken, Task> sendAck, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sendAck);
        Interlocked.Increment(ref _payloads);
        if (!PayloadCodec.TryDecodeCommand(payload.Span, out DeviceCommand? command, out DecodeError? decodeError))
        {
            Interlocked.Increment(ref _undecodable);
            Log.CommandUndecodable(_logger, decodeError.Reason, decodeError.ToString());
            return;
        }
        if (!PayloadValidator.Validate(command, slotCount: null, out ValidationError? invalid))
        {
            Interlocked.Increment(ref _invalid);
            Log.CommandInvalid(_logger, PayloadValidator.IsCommandId(command.Id ?? "") ? command.Id! : "(none)", invalid.Field, invalid.ToString());
            if (invalid.Field == "id")
                return;
            string reason = invalid.Field switch
            {
                "slot" => RejectReasons.BadSlot,
                "action" => RejectReasons.Unsupported,
                _ => ExecutorReasons.Invalid,
            };
            // Not recorded: nothing about an unverified command may shadow the real one with the same id.
            await SendAsync(sendAck, Rejection(command, reason), ct).ConfigureAwait(false);
            return;
        }
        VerificationResult verification = await _keys.VerifyAsync(command, _deviceId, ct).ConfigureAwait(false);
        if (!verification.IsValid)
        {
            Interlocked.Increment(ref _badSignature);
            Log.CommandBadSignature(_logger, command.Id, command.Kid, verification.Reason ?? RejectReasons.BadSignature);
            // Not recorded, for the same reason: a forger must not be able to pre-empt a real command's id.
            await SendAsync(sendAck, Rejection(command, RejectReasons.BadSignature), ct).ConfigureAwait(false);
            return;
        }

        Admission admission = Admit(command);
        foreach (CommandAck ack in admission.Acks)
            await SendAsync(sendAck, ack, ct).ConfigureAwait(false);
        if (admission.Mechanism is not { } mechanism)
            return;

        CommandAck done;
        try
        {
            done = await ActuateAsync(command, mechanism, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            lock (_admission)
                _running.Remove(command.Id);
            throw;
        }
        try
        {
            _store.RecordDone(command, done);
        }
        catch (IOException e)
        {
            // The ack is true all the same; a repeat is answered from the sensor as after a power cut.
            Interlocked.Increment(ref _storeFailures);
            Log.CommandStoreFailed(_logger, command.Id, e);
        }
        finally
        {
            lock (_admission)
                _running.Remove(command.Id);
        }
        await SendAsync(sendAck, done, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers every command found accepted without an outcome (a power cut while it ran) with a <c>done</c> from the
    /// sensor, as a repeat of it would be, so that the backend learns the truth without waiting for a repeat. Call
    /// once after start, when the sensors have settled and acks can be sent.
    /// </summary>
    public async Task ResolveInterruptedAsync(Func<CommandAck, CancellationToken, Task> sendAck, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sendAck);
        foreach (ExecutedCommand entry in _store.Unfinished)
        {
            CommandAck? done;
            lock (_admission)
            {
                if (_running.Contains(entry.Id))
                    continue;
                done = ResolveInterrupted(entry);
            }
            if (done is not null)
                await SendAsync(sendAck, done, ct).ConfigureAwait(false);
        }
    }

    // ---- steps ----

    private readonly record struct Admission(IReadOnlyList<CommandAck> Acks, LockMechanism? Mechanism);

    /// <summary>Novelty, clock, expiry and hardware checks, and the durable record, as one step per command.</summary>
    private Admission Admit(DeviceCommand command)
    {
        lock (_admission)
        {
            if (_store.TryGet(command.Id, out ExecutedCommand? known))
                return Repeat(known);

            bool trusted = _clock.IsTrustworthy;
            DateTimeOffset now = _clock.UtcNow;
            if (trusted)
                Prune(now);
            string? reason = !trusted ? RejectReasons.ClockUnsynced
                : now.ToUnixTimeMilliseconds() > command.ExpiresAt ? RejectReasons.Expired
                : null;
            LockMechanism? mechanism = MechanismFor(command, ref reason);
            if (reason is not null)
            {
                CommandAck rejection = Rejection(command, reason);
                try
                {
                    _store.RecordDone(command, rejection);
                }
                catch (IOException e)
                {
                    // Refusing is safe whether recorded or not.
                    Interlocked.Increment(ref _storeFailures);
                    Log.CommandStoreFailed(_logger, command.Id, e);
                }
                return new Admission([rejection], null);
            }

            CommandAck received = Ack(command, AckStage.Received, null, mechanism!.Sensed, null);
            try
            {
                _store.RecordAccepted(command, received);
            }
            catch (IOException e)
            {
                // Without the record a repeat could actuate twice: do nothing; the backend repeats the command.
                Interlocked.Increment(ref _storeFailures);
                Log.CommandStoreFailed(_logger, command.Id, e);
                return new Admission([], null);
            }
            _running.Add(command.Id);
            Log.CommandAccepted(_logger, command.Id, command.Action, command.Slot);
            return new Admission([received], mechanism);
        }
    }

    /// <summary>A known id: its recorded acks; for one accepted before a restart and never finished, a truthful <c>done</c> first.</summary>
    private Admission Repeat(ExecutedCommand known)
    {
        Interlocked.Increment(ref _duplicates);
        if (known.Done is null && !_running.Contains(known.Id))
        {
            CommandAck? done = ResolveInterrupted(known);
            if (done is not null)
                known = known with { Done = done };
        }
        if (_logger.IsEnabled(LogLevel.Information))
        {
            string acks = string.Join(',', known.Acks.Select(a => a.Result is { } r ? r.ToWireName() : a.Stage.ToWireName()));
            Log.CommandDuplicate(_logger, known.Id, acks);
        }
        return new Admission(known.Acks, null);
    }

    /// <summary>
    /// The outcome of a command accepted before a power cut: not actuated again (the motor may or may not have run),
    /// <c>ok</c> when the sensor shows the commanded state, otherwise <c>failed</c> / <c>interrupted</c>. Recorded, so
    /// later repeats get the same answer. Null when it cannot be recorded (asked again next time).
    /// </summary>
    private CommandAck? ResolveInterrupted(ExecutedCommand entry)
    {
        var command = new DeviceCommand { Id = entry.Id, Action = entry.Action, Slot = entry.Slot, IssuedAt = 1, ExpiresAt = entry.ExpiresAt, Kid = "-", Sig = "-" };
        LockState sensed = MechanismOf(command)?.Sensed ?? LockState.Unknown;
        bool reached = sensed == TargetOf(entry.Action);
        CommandAck done = Ack(command, AckStage.Done, reached ? AckResult.Ok : AckResult.Failed, sensed, reached ? null : ExecutorReasons.Interrupted);
        try
        {
            _store.RecordDone(command, done);
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _storeFailures);
            Log.CommandStoreFailed(_logger, entry.Id, e);
            return null;
        }
        Interlocked.Increment(ref _interrupted);
        Log.CommandInterrupted(_logger, entry.Id, entry.Action, sensed, done.Result!.Value);
        return done;
    }

    private async Task<CommandAck> ActuateAsync(DeviceCommand command, LockMechanism mechanism, CancellationToken ct)
    {
        LockState target = TargetOf(command.Action);
        LockState result;
        Actuating?.Invoke(this, command);
        try
        {
            result = await mechanism.ActuateAsync(target == LockState.Unlocked ? LockAction.Unlock : LockAction.Lock, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _failed);
            Log.CommandActuationError(_logger, command.Id, e);
            return Ack(command, AckStage.Done, AckResult.Failed, mechanism.Sensed, ExecutorReasons.ActuatorError);
        }
        if (result == target)
        {
            Interlocked.Increment(ref _succeeded);
            Log.CommandSucceeded(_logger, command.Id, command.Action, result);
            return Ack(command, AckStage.Done, AckResult.Ok, result, null);
        }
        Interlocked.Increment(ref _failed);
        Log.CommandFailed(_logger, command.Id, command.Action, result);
        return Ack(command, AckStage.Done, AckResult.Failed, LockState.Jammed, RejectReasons.Jammed);
    }

    /// <summary>The lock the command moves, or null with <paramref name="reason"/> set when this hardware cannot do it.</summary>
    private LockMechanism? MechanismFor(DeviceCommand command, ref string? reason)
    {
        bool kiosk = _hardware.Kind.HasSlots();
        bool slotAction = command.Action is CommandAction.Release or CommandAction.Secure;
        if (kiosk != slotAction)
        {
            reason ??= RejectReasons.Unsupported;
            return null;
        }
        LockMechanism? mechanism = MechanismOf(command);
        if (mechanism is null)
            reason ??= kiosk ? RejectReasons.BadSlot : RejectReasons.Unsupported;
        return mechanism;
    }

    private LockMechanism? MechanismOf(DeviceCommand command) =>
        command.Slot is int n ? _hardware.Slot(n)?.Lock : _hardware.Lock;

    private static LockState TargetOf(CommandAction action) =>
        action is CommandAction.Unlock or CommandAction.Release ? LockState.Unlocked : LockState.Locked;

    private CommandAck Rejection(DeviceCommand command, string reason)
    {
        _rejected.AddOrUpdate(reason, 1, static (_, n) => n + 1);
        Log.CommandRejected(_logger, command.Id, command.Action, reason);
        return Ack(command, AckStage.Done, AckResult.Rejected, SensedFor(command), reason);
    }

    private LockState SensedFor(DeviceCommand command) =>
        (command.Slot is int n ? _hardware.Slot(n)?.Lock : _hardware.Lock)?.Sensed ?? LockState.Unknown;

    private CommandAck Ack(DeviceCommand command, AckStage stage, AckResult? result, LockState sensed, string? reason) => new()
    {
        Id = command.Id,
        Stage = stage,
        Result = result,
        Lock = sensed,
        Slot = command.Slot,
        Reason = reason,
        Ts = _clock.UtcNow.ToUnixTimeMilliseconds(),
    };

    private void Prune(DateTimeOffset now)
    {
        try
        {
            _store.PruneIfDue(now);
        }
        catch (IOException e)
        {
            Log.CommandStorePruneFailed(_logger, e);
        }
    }

    private async Task SendAsync(Func<CommandAck, CancellationToken, Task> sendAck, CommandAck ack, CancellationToken ct)
    {
        try
        {
            await sendAck(ack, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The sender is the agent's (MQTT, outbox): whatever it throws, the executor's state stays right and the backend repeats.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _ackSendFailures);
            Log.AckSendFailed(_logger, ack.Id, ack.Stage.ToWireName(), e);
        }
    }
}

using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>
/// Runs the commands received on <c>v1/devices/{id}/commands</c> through the <see cref="CommandExecutor"/>, one after
/// the other in arrival order; every ack goes to the outbox (topic <c>acks</c>) and from there to the broker, so an
/// ack survives a dropped connection or a power cut like any reading. Also keeps the signing keys fresh
/// (<see cref="CommandKeyCache.RunAsync"/>) and, once the sensors have settled after start, answers the commands a
/// power cut interrupted (<see cref="CommandExecutor.ResolveInterruptedAsync"/>).
/// </summary>
public sealed class CommandService : BackgroundService
{
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);
    private readonly CommandExecutor _executor;
    private readonly CommandKeyCache _keys;
    private readonly MqttLink _link;
    private readonly IRecordWriter _writer;
    private readonly LockHardware _hardware;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>The command loop.</summary>
    public CommandService(CommandExecutor executor, CommandKeyCache keys, MqttLink link, IRecordWriter writer, LockHardware hardware, TimeProvider time, ILogger<CommandService> logger)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _executor = executor;
        _keys = keys;
        _link = link;
        _writer = writer;
        _hardware = hardware;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task keys = _keys.RunAsync(stoppingToken);
        try
        {
            await WaitForSensorsAsync(stoppingToken).ConfigureAwait(false);
            await _executor.ResolveInterruptedAsync(SendAckAsync, stoppingToken).ConfigureAwait(false);
            await foreach (byte[] payload in _link.Commands.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await _executor.ExecuteAsync(payload, SendAckAsync, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The executor does not throw for bad input; anything else is a bug or a failing disk, and the
                    // next command must still be served.
                    Log.CommandFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await keys.ConfigureAwait(false);
    }

    private async Task SendAckAsync(CommandAck ack, CancellationToken cancellationToken) =>
        await _writer.AppendAsync(ack, cancellationToken).ConfigureAwait(false);

    /// <summary>Until every lock's sensor has settled (or a few seconds passed: a broken sensor must not stop commands).</summary>
    private async Task WaitForSensorsAsync(CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        while (!Settled() && _time.GetElapsedTime(start) < SettleLimit)
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
    }

    private bool Settled() =>
        (_hardware.Lock?.Sensed ?? LockState.Locked) != LockState.Unknown && _hardware.Slots.All(s => s.Lock.Sensed != LockState.Unknown);
}

using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// Drives one actuator pin (through a MOSFET or relay to a solenoid or motor): high for the configured pulse, then
/// low. The pin is opened low, one pulse runs at a time, and the pin goes low again whatever ends the pulse
/// (its time, cancellation, an exception) and on dispose.
/// </summary>
public sealed class LockActuator : IDisposable
{
    private readonly GpioController _controller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _pulses;
    private long _interrupted;
    private bool _disposed;

    /// <summary>Opens <paramref name="pin"/> as an output, low.</summary>
    public LockActuator(GpioController controller, int pin, TimeSpan pulse, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pulse, TimeSpan.Zero);
        _controller = controller;
        _time = time;
        _logger = logger;
        Pin = pin;
        Pulse = pulse;
        _controller.OpenPin(pin, PinMode.Output, PinValue.Low);
    }

    /// <summary>The actuator pin.</summary>
    public int Pin { get; }

    /// <summary>How long a pulse energises the actuator.</summary>
    public TimeSpan Pulse { get; }

    /// <summary>Pulses started.</summary>
    public long Pulses => Interlocked.Read(ref _pulses);

    /// <summary>Pulses cut short by cancellation or an error (the pin went low early).</summary>
    public long Interrupted => Interlocked.Read(ref _interrupted);

    /// <summary>Energises the actuator for <see cref="Pulse"/>. Waits for a pulse already running.</summary>
    public async Task PulseAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool completed = false;
        try
        {
            Interlocked.Increment(ref _pulses);
            Log.ActuatorPulse(_logger, Pin, Pulse.TotalMilliseconds);
            _controller.Write(Pin, PinValue.High);
            await Task.Delay(Pulse, _time, cancellationToken).ConfigureAwait(false);
            completed = true;
        }
        finally
        {
            Release(completed);
        }
    }

    private void Release(bool completed)
    {
        if (!completed)
        {
            Interlocked.Increment(ref _interrupted);
            Log.ActuatorInterrupted(_logger, Pin);
        }
        try
        {
            _controller.Write(Pin, PinValue.Low);
            _gate.Release();
        }
        catch (Exception e) when (Volatile.Read(ref _disposed) && e is ObjectDisposedException or InvalidOperationException)
        {
            // Disposed during the pulse: Dispose already wrote the pin low and closed it.
        }
    }

    /// <summary>Leaves the pin low and closes it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, true))
            return;
        try
        {
            if (_controller.IsPinOpen(Pin))
            {
                _controller.Write(Pin, PinValue.Low);
                _controller.ClosePin(Pin);
            }
        }
        catch (ObjectDisposedException)
        {
            // The controller went first; closing it already released its pins.
        }
        _gate.Dispose();
    }
}

using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// A switch input (pull-up) read through the driver's pin-change callbacks and debounced with a
/// <see cref="TimeProvider"/> timer: every edge restarts the timer, and when the pin has held one level for the
/// debounce time (read again then, so a missed edge cannot leave it wrong) that level becomes <see cref="Value"/>
/// and <see cref="Changed"/> is raised. <see cref="Value"/> is null until the first level has held.
/// </summary>
public sealed class DebouncedInput : IDisposable
{
    private readonly GpioController _controller;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private readonly PinChangeEventHandler _handler;
    private PinValue _raw;
    private PinValue? _stable;
    private long _edges;
    private long _changes;
    private bool _disposed;

    /// <summary>Opens <paramref name="pin"/> as an input with the pull-up and starts watching it.</summary>
    public DebouncedInput(GpioController controller, int pin, TimeSpan debounce, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(debounce, TimeSpan.Zero);
        _controller = controller;
        _logger = logger;
        Pin = pin;
        Debounce = debounce;
        _handler = OnPinChanged;
        _timer = time.CreateTimer(_ => OnSettled(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _controller.OpenPin(pin, PinMode.InputPullUp);
        lock (_gate)
        {
            _raw = _controller.Read(pin);
            _controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, _handler);
            _timer.Change(debounce, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The input pin.</summary>
    public int Pin { get; }

    /// <summary>How long a level must hold.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>The debounced level; null until a level has held for <see cref="Debounce"/> since start.</summary>
    public PinValue? Value
    {
        get
        {
            lock (_gate)
                return _stable;
        }
    }

    /// <summary>Raw edges seen (bounces included).</summary>
    public long Edges => Interlocked.Read(ref _edges);

    /// <summary>Debounced changes (<see cref="Changed"/> raised), the first level after start included.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Raised, outside any lock, on the thread of the timer, when <see cref="Value"/> changes.</summary>
    public event EventHandler<PinValue>? Changed;

    private void OnPinChanged(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            Interlocked.Increment(ref _edges);
            _raw = e.ChangeType == PinEventTypes.Rising ? PinValue.High : PinValue.Low;
            _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSettled()
    {
        PinValue settled;
        lock (_gate)
        {
            if (_disposed)
                return;
            PinValue now = _controller.Read(Pin);
            if (now != _raw)
            {
                // An edge the driver did not report: start the hold again from this level.
                _raw = now;
                _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
                return;
            }
            if (_stable == now)
                return;
            _stable = now;
            settled = now;
            Interlocked.Increment(ref _changes);
        }
        Log.InputSettled(_logger, Pin, (bool)settled);
        Changed?.Invoke(this, settled);
    }

    /// <summary>Stops watching and closes the pin.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _timer.Dispose();
        try
        {
            _controller.UnregisterCallbackForPinValueChangedEvent(Pin, _handler);
            _controller.ClosePin(Pin);
        }
        catch (ObjectDisposedException)
        {
            // The controller went first.
        }
    }
}

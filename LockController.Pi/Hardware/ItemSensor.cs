using System.Device.Gpio;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>A kiosk slot's item-present sensor (a microswitch or reflective sensor) over a debounced input.</summary>
public sealed class ItemSensor : IDisposable
{
    private readonly DebouncedInput _input;
    private readonly bool _activeLow;

    /// <summary>An item sensor over <paramref name="input"/> (owned).</summary>
    public ItemSensor(DebouncedInput input, bool activeLow)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _activeLow = activeLow;
        _input.Changed += OnChanged;
    }

    /// <summary>The debounced input.</summary>
    public DebouncedInput Input => _input;

    /// <summary>Whether an item is in the slot; null until the sensor has settled after start.</summary>
    public bool? Present => ToPresent(_input.Value);

    /// <summary>Raised when <see cref="Present"/> changes.</summary>
    public event EventHandler<bool>? PresenceChanged;

    private void OnChanged(object? sender, PinValue value) => PresenceChanged?.Invoke(this, ToPresent(value) == true);

    private bool? ToPresent(PinValue? value) => value is { } v ? (v == PinValue.Low) == _activeLow : null;

    /// <summary>Releases the pin.</summary>
    public void Dispose()
    {
        _input.Changed -= OnChanged;
        _input.Dispose();
    }
}

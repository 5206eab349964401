using System.Device.Gpio;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware.Battery;
using IoTPlatform.LockController.Pi.Hardware.Simulated;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// The controller's hardware as built by <see cref="HardwareFactory"/> from the pin map: a bike's lock or a kiosk's
/// slots, and the battery gauge, over one <see cref="GpioController"/>. Disposing leaves every actuator low and
/// closes the controller.
/// </summary>
public sealed class LockHardware : IDisposable
{
    private bool _disposed;

    internal LockHardware(GpioController controller, DeviceKind kind, SimulatedGpioDriver? simulator)
    {
        Controller = controller;
        Kind = kind;
        Simulator = simulator;
    }

    /// <summary>The GPIO controller every pin is opened on.</summary>
    public GpioController Controller { get; }

    /// <summary>What the controller is mounted on.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The bike's lock; null on a kiosk.</summary>
    public LockMechanism? Lock { get; internal set; }

    /// <summary>A kiosk's slots in number order (slot n at index n - 1); empty on a bike.</summary>
    public IReadOnlyList<KioskSlot> Slots { get; internal set; } = [];

    /// <summary>The battery gauge.</summary>
    public IBatterySource Battery { get; internal set; } = null!;

    /// <summary>The simulated driver (<see cref="HardwareMode.Simulated"/>), for tests and the simulator to move the world; null on real GPIO.</summary>
    public SimulatedGpioDriver? Simulator { get; }

    /// <summary>The slot numbered <paramref name="number"/>, or null when there is none (a <c>bad-slot</c> command).</summary>
    public KioskSlot? Slot(int number) => number >= 1 && number <= Slots.Count ? Slots[number - 1] : null;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Lock?.Dispose();
        foreach (KioskSlot slot in Slots)
            slot.Dispose();
        (Battery as IDisposable)?.Dispose();
        Controller.Dispose();
    }
}

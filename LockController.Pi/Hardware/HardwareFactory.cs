using System.Device.Gpio;
using System.Device.I2c;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware.Battery;
using IoTPlatform.LockController.Pi.Hardware.Simulated;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// Builds <see cref="LockHardware"/> from <see cref="HardwareOptions"/> at start: checks the pin map, opens the
/// controller (<c>new GpioController()</c> on a Pi, <c>new GpioController(new SimulatedGpioDriver(...))</c> when
/// simulated), checks the pins exist on it, and opens every actuator (low) and sensor (pull-up).
/// Anything wrong throws <see cref="HardwareConfigurationException"/> naming the setting.
/// </summary>
public static class HardwareFactory
{
    /// <summary>The hardware the options describe.</summary>
    public static LockHardware Create(HardwareOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        ILogger logger = loggers.CreateLogger(typeof(HardwareFactory).FullName!);
        try
        {
            HardwareOptionsValidator.ThrowIfInvalid(options, pinCount: null);
            options.TryGetKind(out DeviceKind kind);
            SimulatedGpioDriver? simulator = options.Mode == HardwareMode.Simulated ? new SimulatedGpioDriver(options.Simulation, time) : null;
            GpioController controller = simulator is null ? OpenBoardController() : new GpioController(simulator);
            var hardware = new LockHardware(controller, kind, simulator);
            try
            {
                HardwareOptionsValidator.ThrowIfInvalid(options, controller.PinCount);
                Build(hardware, options, time, loggers);
            }
            catch
            {
                hardware.Dispose();
                throw;
            }
            string mode = options.Mode.ToString().ToLowerInvariant(), battery = ((BatterySource)hardware.Battery).Name;
            int locks = hardware.Lock is null ? hardware.Slots.Count : 1;
            Log.HardwareStarted(logger, mode, options.Kind, locks, battery);
            return hardware;
        }
        catch (HardwareConfigurationException e)
        {
            if (logger.IsEnabled(LogLevel.Critical))
                Log.HardwareFailed(logger, e.Message);
            throw;
        }
    }

    /// <summary>
    /// The board's controller. Off a Pi (or without libgpiod, or without permission on /dev/gpiochip*) the
    /// constructor throws one of several driver exceptions — in a container without libgpiod a
    /// <c>GpiodException</c> over a <see cref="DllNotFoundException"/> — which become one clear message.
    /// </summary>
    private static GpioController OpenBoardController()
    {
        try
        {
            return new GpioController();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string detail = (e.InnerException is { } inner ? $"{e.Message}: {inner.Message}" : e.Message).Split('\n')[0].Trim();
            throw new HardwareConfigurationException(
                $"{HardwareOptions.SectionName}:Mode = gpio, but no GPIO controller could be opened ({e.GetType().Name}: {detail}). " +
                "On a Raspberry Pi install libgpiod (see hardware/pi-setup.md) and run as a user in the gpio group; " +
                $"elsewhere set {HardwareOptions.SectionName}:Mode=simulated.", e);
        }
    }

    private static void Build(LockHardware hardware, HardwareOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        ILogger lockLogger = loggers.CreateLogger(typeof(LockMechanism).FullName!);
        LockOptions lockOptions = options.Lock;
        SimulatedGpioDriver? simulator = hardware.Simulator;
        if (hardware.Kind.HasSlots())
        {
            var slots = new List<KioskSlot>();
            hardware.Slots = slots;
            foreach (SlotOptions slot in options.Slots.OrderBy(s => s.N))
            {
                int actuator = slot.ActuatorPin!.Value, sensor = slot.LockSensorPin!.Value, item = slot.ItemSensorPin!.Value;
                simulator?.AddLock(actuator, sensor, lockOptions.SensorActiveLow);
                simulator?.AddItemSensor(item, options.ItemSensorActiveLow, options.Simulation.StartWithItems);
                LockMechanism mechanism = CreateMechanism($"slot {slot.N}", hardware.Controller, actuator, sensor, lockOptions, time, lockLogger);
                ItemSensor itemSensor;
                try
                {
                    itemSensor = new ItemSensor(new DebouncedInput(hardware.Controller, item, lockOptions.Debounce, time, lockLogger), options.ItemSensorActiveLow);
                }
                catch
                {
                    mechanism.Dispose();
                    throw;
                }
                slots.Add(new KioskSlot(slot.N, mechanism, itemSensor));
            }
        }
        else
        {
            int actuator = lockOptions.ActuatorPin!.Value, sensor = lockOptions.SensorPin!.Value;
            simulator?.AddLock(actuator, sensor, lockOptions.SensorActiveLow);
            hardware.Lock = CreateMechanism("lock", hardware.Controller, actuator, sensor, lockOptions, time, lockLogger);
        }
        // Simulated hardware includes the I2C ADC: the pin map of a Pi runs unchanged with Mode=simulated.
        BatteryOptions battery = options.Battery;
        if (simulator is not null && battery.Source == BatterySourceKind.Ads1115)
            battery = new BatteryOptions { Source = BatterySourceKind.Simulated, MinMillivolts = battery.MinMillivolts, MaxMillivolts = battery.MaxMillivolts, SimulatedMillivolts = battery.SimulatedMillivolts };
        hardware.Battery = CreateBattery(battery, time, loggers.CreateLogger(typeof(BatterySource).FullName!));
    }

    private static LockMechanism CreateMechanism(string name, GpioController controller, int actuatorPin, int sensorPin, LockOptions options, TimeProvider time, ILogger logger)
    {
        var actuator = new LockActuator(controller, actuatorPin, options.Pulse, time, logger);
        try
        {
            var sensor = new DebouncedInput(controller, sensorPin, options.Debounce, time, logger);
            return new LockMechanism(name, actuator, sensor, options.SensorActiveLow, options.ConfirmTimeout, time, logger);
        }
        catch
        {
            actuator.Dispose();
            throw;
        }
    }

    /// <summary>The battery source <paramref name="options"/> names.</summary>
    public static IBatterySource CreateBattery(BatteryOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Source switch
        {
            BatterySourceKind.Sysfs => new SysfsBatterySource(options, logger),
            BatterySourceKind.Simulated => new SimulatedBatterySource(options, logger),
            BatterySourceKind.Ads1115 => new Ads1115BatterySource(I2cDevice.Create(new I2cConnectionSettings(options.I2cBus, options.I2cAddress)), options, time, logger),
            _ => throw new HardwareConfigurationException($"{HardwareOptions.SectionName}:Battery:Source = {options.Source} is not a battery source."),
        };
    }
}

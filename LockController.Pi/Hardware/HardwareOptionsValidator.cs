using System.Globalization;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware.Battery;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// Checks a pin map before any pin is opened: every message names the setting (<c>Hardware:Slots:1:LockSensorPin</c>).
/// Rules: the kind is known; a bike has its lock pins and no slots; a kiosk has slots numbered 1..n and no bike lock
/// pins; no pin twice; no reserved pin; every pin exists on the controller; times are positive; the battery source has
/// what it needs.
/// </summary>
public static class HardwareOptionsValidator
{
    private const string Section = HardwareOptions.SectionName;

    private static readonly int[] FullScales = [6144, 4096, 2048, 1024, 512, 256];

    /// <summary>The problems with <paramref name="options"/>; empty when it is good.</summary>
    /// <param name="options">The options.</param>
    /// <param name="pinCount">The controller's <c>PinCount</c> (pins 0..pinCount-1 exist); null before the controller is open.</param>
    public static IReadOnlyList<string> Validate(HardwareOptions options, int? pinCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        CheckTimes(options.Lock, errors);
        var pins = new List<(string Setting, int? Pin)>();
        if (!options.TryGetKind(out DeviceKind kind))
        {
            errors.Add($"{Section}:Kind = '{options.Kind}' is not one of {string.Join(", ", DeviceKinds.Names)}.");
        }
        else if (kind.HasSlots())
        {
            if (options.Lock.ActuatorPin is not null)
                errors.Add($"{Section}:Lock:ActuatorPin is for bikes; a {options.Kind}'s lock pins are set per slot in {Section}:Slots.");
            if (options.Lock.SensorPin is not null)
                errors.Add($"{Section}:Lock:SensorPin is for bikes; a {options.Kind}'s lock pins are set per slot in {Section}:Slots.");
            CheckSlots(options, errors, pins);
        }
        else
        {
            if (options.Slots.Count > 0)
                errors.Add($"{Section}:Slots: a bike has no slots (found {options.Slots.Count}); set {Section}:Kind to a kiosk kind or remove them.");
            pins.Add(($"{Section}:Lock:ActuatorPin", options.Lock.ActuatorPin));
            pins.Add(($"{Section}:Lock:SensorPin", options.Lock.SensorPin));
        }

        CheckPins(options, pinCount, pins, errors);
        CheckBattery(options, errors);
        CheckSimulation(options, errors);
        return errors;
    }

    /// <summary>Throws <see cref="HardwareConfigurationException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(HardwareOptions options, int? pinCount)
    {
        IReadOnlyList<string> errors = Validate(options, pinCount);
        if (errors.Count > 0)
            throw new HardwareConfigurationException(errors);
    }

    private static void CheckTimes(LockOptions lockOptions, List<string> errors)
    {
        Positive("Lock:PulseMilliseconds", lockOptions.PulseMilliseconds, errors);
        Positive("Lock:DebounceMilliseconds", lockOptions.DebounceMilliseconds, errors);
        Positive("Lock:ConfirmTimeoutMilliseconds", lockOptions.ConfirmTimeoutMilliseconds, errors);
    }

    private static void Positive(string setting, int value, List<string> errors)
    {
        if (value <= 0)
            errors.Add($"{Section}:{setting} must be positive (is {value.ToString(CultureInfo.InvariantCulture)}).");
    }

    private static void CheckSlots(HardwareOptions options, List<string> errors, List<(string, int?)> pins)
    {
        int count = options.Slots.Count;
        if (count == 0)
        {
            errors.Add($"{Section}:Slots: a {options.Kind} needs at least one slot.");
            return;
        }
        if (count > DeviceKinds.MaxSlots)
            errors.Add($"{Section}:Slots: {count} slots; a kiosk has at most {DeviceKinds.MaxSlots}.");
        var seen = new HashSet<int>();
        for (int i = 0; i < count; i++)
        {
            SlotOptions slot = options.Slots[i];
            string at = $"{Section}:Slots:{i}";
            if (slot.N < 1 || slot.N > count || !seen.Add(slot.N))
                errors.Add($"{at}:N = {slot.N}: slots must be numbered 1..{count}, each once, without gaps.");
            pins.Add(($"{at}:ActuatorPin", slot.ActuatorPin));
            pins.Add(($"{at}:LockSensorPin", slot.LockSensorPin));
            pins.Add(($"{at}:ItemSensorPin", slot.ItemSensorPin));
        }
    }

    private static void CheckPins(HardwareOptions options, int? pinCount, List<(string Setting, int? Pin)> pins, List<string> errors)
    {
        var owners = new Dictionary<int, string>();
        foreach ((string setting, int? maybePin) in pins)
        {
            if (maybePin is not { } pin)
            {
                errors.Add($"{setting} is required.");
                continue;
            }
            if (pin < 0 || (pinCount is { } n && pin >= n))
            {
                string range = pinCount is { } c ? $"0..{c - 1}" : "0 and up";
                errors.Add($"{setting} = {pin} does not exist: the GPIO controller has pins {range} (BCM numbering).");
                continue;
            }
            if (options.AllReservedPins.Contains(pin))
                errors.Add($"{setting} = {pin} is reserved ({Section}:ReserveUartAndI2cPins: UART 14/15 and I2C 2/3, or {Section}:ReservedPins).");
            if (!owners.TryAdd(pin, setting))
                errors.Add($"{setting} = {pin} is already used by {owners[pin]}.");
        }
    }

    private static void CheckBattery(HardwareOptions options, List<string> errors)
    {
        const string b = $"{Section}:Battery";
        BatteryOptions battery = options.Battery;
        if (battery.MinMillivolts < 0 || battery.MinMillivolts >= battery.MaxMillivolts)
            errors.Add($"{b}:MinMillivolts ({battery.MinMillivolts}) must be at least 0 and below {b}:MaxMillivolts ({battery.MaxMillivolts}).");
        switch (battery.Source)
        {
            case BatterySourceKind.Sysfs when string.IsNullOrWhiteSpace(battery.Path):
                errors.Add($"{b}:Path is required when {b}:Source is sysfs.");
                break;
            case BatterySourceKind.Ads1115:
                if (battery.Channel is < 0 or > 3)
                    errors.Add($"{b}:Channel = {battery.Channel}: the ADS1115 has inputs 0..3.");
                if (!FullScales.Contains(battery.FullScaleMillivolts))
                    errors.Add($"{b}:FullScaleMillivolts = {battery.FullScaleMillivolts} is not one of {string.Join(", ", FullScales)}.");
                if (battery.I2cAddress is < 0x48 or > 0x4B)
                    errors.Add($"{b}:I2cAddress = {battery.I2cAddress}: an ADS1115 answers at 72..75 (0x48..0x4B).");
                if (!(battery.DividerRatio >= 1))
                    errors.Add($"{b}:DividerRatio = {battery.DividerRatio.ToString(CultureInfo.InvariantCulture)} must be at least 1.");
                break;
            default:
                break;
        }
    }

    private static void CheckSimulation(HardwareOptions options, List<string> errors)
    {
        if (options.Mode != HardwareMode.Simulated)
            return;
        const string m = $"{Section}:Simulation";
        SimulationOptions sim = options.Simulation;
        if (sim.PinCount <= 0)
            errors.Add($"{m}:PinCount must be positive (is {sim.PinCount}).");
        if (sim.MinimumPulseMilliseconds < 0 || sim.MechanicalDelayMilliseconds < 0 || sim.BounceCount < 0 || sim.BounceIntervalMilliseconds < 0)
            errors.Add($"{m}: MinimumPulseMilliseconds, MechanicalDelayMilliseconds, BounceCount and BounceIntervalMilliseconds must not be negative.");
    }
}

using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Battery;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>Pin maps for the tests: the default bike's and a two-slot kiosk's, on simulated hardware.</summary>
internal static class TestPinMaps
{
    public const int BikeActuator = 17;
    public const int BikeSensor = 27;

    public static HardwareOptions Bike() => new()
    {
        Mode = HardwareMode.Simulated,
        Kind = "bike",
        Lock = new LockOptions { ActuatorPin = BikeActuator, SensorPin = BikeSensor },
        Battery = new BatteryOptions { Source = BatterySourceKind.Simulated },
    };

    public static HardwareOptions Kiosk(int slots = 2)
    {
        var options = new HardwareOptions
        {
            Mode = HardwareMode.Simulated,
            Kind = "umbrella-kiosk",
            Battery = new BatteryOptions { Source = BatterySourceKind.Simulated },
        };
        int[] actuators = [17, 22, 23, 24], lockSensors = [5, 6, 13, 19], itemSensors = [26, 16, 20, 21];
        for (int i = 0; i < slots; i++)
            options.Slots.Add(new SlotOptions { N = i + 1, ActuatorPin = actuators[i], LockSensorPin = lockSensors[i], ItemSensorPin = itemSensors[i] });
        return options;
    }
}

namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>Configuration section <c>Hardware:Battery</c>.</summary>
public sealed class BatteryOptions
{
    /// <summary>Where the level comes from.</summary>
    public BatterySourceKind Source { get; set; } = BatterySourceKind.Simulated;

    /// <summary>Sysfs: the file to read.</summary>
    public string? Path { get; set; }

    /// <summary>Sysfs: what the number in <see cref="Path"/> means.</summary>
    public BatteryValueUnit Unit { get; set; } = BatteryValueUnit.Millivolts;

    /// <summary>Pack voltage read as 0 % (a 2S Li-ion pack's cut-off: 2 × 3.0 V).</summary>
    public int MinMillivolts { get; set; } = 6000;

    /// <summary>Pack voltage read as 100 % (2 × 4.2 V).</summary>
    public int MaxMillivolts { get; set; } = 8400;

    /// <summary>ADS1115: I2C bus number (<c>/dev/i2c-1</c> on a Pi's header).</summary>
    public int I2cBus { get; set; } = 1;

    /// <summary>ADS1115: I2C address, 0x48..0x4B by its ADDR pin (0x48 = 72 with ADDR to ground).</summary>
    public int I2cAddress { get; set; } = 0x48;

    /// <summary>ADS1115: the input the divider feeds, AIN0..AIN3, measured against ground.</summary>
    public int Channel { get; set; }

    /// <summary>ADS1115: full-scale range in millivolts, one of 6144, 4096, 2048, 1024, 512, 256.</summary>
    public int FullScaleMillivolts { get; set; } = 4096;

    /// <summary>ADS1115: pack voltage ÷ ADC input voltage, (R1 + R2) / R2 of the divider (100 kΩ over 47 kΩ: 3.128).</summary>
    public double DividerRatio { get; set; } = 147.0 / 47.0;

    /// <summary>Simulated: the pack voltage at start.</summary>
    public int SimulatedMillivolts { get; set; } = 8000;

    /// <summary>Percent for a pack voltage: linear between <see cref="MinMillivolts"/> and <see cref="MaxMillivolts"/>, clamped to 0..100.</summary>
    public int ToPercent(int millivolts)
    {
        double span = MaxMillivolts - MinMillivolts;
        double percent = Math.Round((millivolts - MinMillivolts) * 100.0 / span, MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(percent, 0, 100);
    }
}

using System.Buffers.Binary;
using System.Device.I2c;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>
/// The pack voltage through a resistor divider into one input of an ADS1115 (16-bit ADC, I2C). Each read starts a
/// single-shot conversion of that input against ground (128 samples/s, comparator off), waits for the
/// conversion-ready bit, reads the signed result and scales it by the full-scale range and the divider ratio.
/// Registers and bits from the TI ADS1115 datasheet (SBAS444): pointer 0 = conversion, 1 = config.
/// </summary>
public sealed class Ads1115BatterySource : BatterySource, IDisposable
{
    /// <summary>Config register pointer.</summary>
    public const byte ConfigRegister = 0x01;

    /// <summary>Conversion register pointer.</summary>
    public const byte ConversionRegister = 0x00;

    private const ushort StartSingleShot = 0x8000;      // OS = 1
    private const ushort SingleShotMode = 0x0100;       // MODE = 1
    private const ushort Rate128 = 0x0080;              // DR = 100
    private const ushort ComparatorOff = 0x0003;        // COMP_QUE = 11
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan ConversionTimeout = TimeSpan.FromMilliseconds(100);

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;

    /// <summary>A source over <paramref name="device"/> (owned).</summary>
    public Ads1115BatterySource(I2cDevice device, BatteryOptions options, TimeProvider time, ILogger logger)
        : base(options, $"ADS1115 0x{options?.I2cAddress:X2} AIN{options?.Channel}", logger)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        _device = device;
        _time = time;
        ConfigWord = BuildConfig(Options.Channel, Options.FullScaleMillivolts);
    }

    /// <summary>The config word written to start a conversion.</summary>
    public ushort ConfigWord { get; }

    /// <summary>The config word for a single-shot conversion of <paramref name="channel"/> against ground.</summary>
    public static ushort BuildConfig(int channel, int fullScaleMillivolts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channel, 3);
        int mux = 0b100 + channel;                       // AINx vs GND
        int pga = fullScaleMillivolts switch
        {
            6144 => 0b000,
            4096 => 0b001,
            2048 => 0b010,
            1024 => 0b011,
            512 => 0b100,
            256 => 0b101,
            _ => throw new ArgumentOutOfRangeException(nameof(fullScaleMillivolts), fullScaleMillivolts, "Not an ADS1115 range."),
        };
        return (ushort)(StartSingleShot | (mux << 12) | (pga << 9) | SingleShotMode | Rate128 | ComparatorOff);
    }

    protected override async ValueTask<BatterySample> SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            Span<byte> write = stackalloc byte[3];
            write[0] = ConfigRegister;
            BinaryPrimitives.WriteUInt16BigEndian(write[1..], ConfigWord);
            _device.Write(write);

            long start = _time.GetTimestamp();
            while (!ConversionDone())
            {
                if (_time.GetElapsedTime(start) > ConversionTimeout)
                    return BatterySample.Failed($"ADS1115 conversion not ready after {ConversionTimeout.TotalMilliseconds} ms");
                await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }

            short raw = BinaryPrimitives.ReadInt16BigEndian(ReadRegister(ConversionRegister));
            double inputMillivolts = raw * (double)Options.FullScaleMillivolts / 32768.0;
            int packMillivolts = (int)Math.Round(inputMillivolts * Options.DividerRatio, MidpointRounding.AwayFromZero);
            return packMillivolts < 0
                ? BatterySample.Failed($"ADS1115 reads {inputMillivolts:0.0} mV: negative, check the divider wiring")
                : BatterySample.FromMillivolts(packMillivolts);
        }
        catch (IOException e)
        {
            return BatterySample.Failed($"ADS1115 on I2C bus {Options.I2cBus} address 0x{Options.I2cAddress:X2}: {e.Message}");
        }
    }

    private bool ConversionDone() => (BinaryPrimitives.ReadUInt16BigEndian(ReadRegister(ConfigRegister)) & StartSingleShot) != 0;

    private byte[] ReadRegister(byte pointer)
    {
        byte[] value = new byte[2];
        _device.WriteRead([pointer], value);
        return value;
    }

    public void Dispose() => _device.Dispose();
}

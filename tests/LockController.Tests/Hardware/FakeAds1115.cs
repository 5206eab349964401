using System.Buffers.Binary;
using System.Device.I2c;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>
/// An ADS1115 behind an <see cref="I2cDevice"/>: a pointer register, the config and conversion registers, a
/// single-shot conversion that is ready after a number of config polls, and a bus that can fail.
/// </summary>
internal sealed class FakeAds1115 : I2cDevice
{
    private byte _pointer;
    private int _pollsLeft;

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x48);

    /// <summary>The config register (power-on value 0x8583: idle, AIN0/AIN1, ±2.048 V, single-shot).</summary>
    public ushort Config { get; private set; } = 0x8583;

    /// <summary>The signed result the next conversion gives.</summary>
    public short Input { get; set; }

    /// <summary>Config polls that still report "converting" after a start.</summary>
    public int ConversionPolls { get; set; } = 2;

    /// <summary>When true, the conversion never finishes.</summary>
    public bool Stuck { get; set; }

    /// <summary>When set, every transfer throws it (a missing device NAKs).</summary>
    public IOException? BusError { get; set; }

    public List<ushort> ConfigWrites { get; } = [];

    public override void Read(Span<byte> buffer) => ReadRegister(buffer);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (BusError is not null)
            throw BusError;
        _pointer = buffer[0];
        if (buffer.Length == 3 && _pointer == 0x01)
        {
            ushort word = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]);
            ConfigWrites.Add(word);
            Config = (ushort)(word & 0x7FFF); // OS reads 0 while converting
            _pollsLeft = ConversionPolls;
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        ReadRegister(readBuffer);
    }

    private void ReadRegister(Span<byte> buffer)
    {
        if (BusError is not null)
            throw BusError;
        if (_pointer == 0x01)
        {
            if ((Config & 0x8000) == 0 && !Stuck && _pollsLeft-- <= 0)
                Config |= 0x8000;
            BinaryPrimitives.WriteUInt16BigEndian(buffer, Config);
        }
        else
        {
            BinaryPrimitives.WriteInt16BigEndian(buffer, Input);
        }
    }
}

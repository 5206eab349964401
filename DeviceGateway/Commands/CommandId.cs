using System.Security.Cryptography;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>Command ids: ULIDs (48-bit Unix ms time + 80 random bits, Crockford base32, 26 characters), so they sort by creation.</summary>
public static class CommandId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(long unixMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMs);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(unixMs >> (8 * (5 - i)));
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        var value = (UInt128)0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>
/// Keyed hash of device secrets: HMAC-SHA256 with a server-side pepper kept in the data dir.
/// Device secrets are random 256-bit values, so a slow password KDF buys nothing and would make a
/// reconnect storm of 100,000 devices cost minutes of CPU; the pepper keeps a stolen state.db useless
/// on its own.
/// </summary>
public sealed class SecretHasher
{
    public const int HashLength = 32;
    private readonly byte[] _pepper;

    public SecretHasher(byte[] pepper)
    {
        ArgumentNullException.ThrowIfNull(pepper);
        if (pepper.Length < 32)
        {
            throw new ArgumentException("The pepper must be at least 256 bits.", nameof(pepper));
        }

        _pepper = pepper;
    }

    public byte[] Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var hash = new byte[HashLength];
        Hash(secret, hash);
        return hash;
    }

    /// <summary>Constant-time comparison of <paramref name="secret"/> with a stored hash.</summary>
    public bool Verify(string secret, ReadOnlySpan<byte> storedHash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> hash = stackalloc byte[HashLength];
        Hash(secret, hash);
        return CryptographicOperations.FixedTimeEquals(hash, storedHash);
    }

    private void Hash(string secret, Span<byte> destination)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var buffer = maxBytes <= 256 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(secret, buffer);
        HMACSHA256.HashData(_pepper, buffer[..length], destination);
        CryptographicOperations.ZeroMemory(buffer[..length]);
    }
}

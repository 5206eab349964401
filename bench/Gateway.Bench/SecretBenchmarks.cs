using System.Buffers.Text;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using IoTPlatform.DeviceGateway.Devices;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// One CONNECT's credential check: <see cref="SecretHasher.Verify"/> (HMAC-SHA256 with the pepper and a
/// constant-time compare) against what a password KDF would cost instead (PBKDF2-HMAC-SHA256 at 100,000
/// and at 600,000 iterations, plus the same compare). The secret has the shape the registry issues:
/// 32 random bytes as base64url (43 characters).
/// </summary>
[MemoryDiagnoser]
public class SecretBenchmarks
{
    private SecretHasher _hasher = null!;
    private string _secret = "";
    private string _wrongSecret = "";
    private byte[] _storedHash = [];
    private byte[] _salt = [];
    private byte[] _storedKdf100k = [];
    private byte[] _storedKdf600k = [];

    [GlobalSetup]
    public void Setup()
    {
        _hasher = new SecretHasher(RandomNumberGenerator.GetBytes(32));
        _secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _wrongSecret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _storedHash = _hasher.Hash(_secret);
        _salt = RandomNumberGenerator.GetBytes(16);
        _storedKdf100k = Rfc2898DeriveBytes.Pbkdf2(_secret, _salt, 100_000, HashAlgorithmName.SHA256, 32);
        _storedKdf600k = Rfc2898DeriveBytes.Pbkdf2(_secret, _salt, 600_000, HashAlgorithmName.SHA256, 32);
        if (!HmacVerify() || HmacVerifyWrongSecret() || !Pbkdf2Verify100k() || !Pbkdf2Verify600k())
        {
            throw new InvalidOperationException("A verification gave the wrong answer.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool HmacVerify() => _hasher.Verify(_secret, _storedHash);

    [Benchmark]
    public bool HmacVerifyWrongSecret() => _hasher.Verify(_wrongSecret, _storedHash);

    [Benchmark]
    public bool Pbkdf2Verify100k() => Pbkdf2Verify(100_000, _storedKdf100k);

    [Benchmark]
    public bool Pbkdf2Verify600k() => Pbkdf2Verify(600_000, _storedKdf600k);

    private bool Pbkdf2Verify(int iterations, byte[] stored)
    {
        Span<byte> derived = stackalloc byte[32];
        Rfc2898DeriveBytes.Pbkdf2(_secret, _salt, derived, iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(derived, stored);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace IoTPlatform.DeviceGateway.Auth;

/// <summary>
/// The configured API keys, kept as SHA-256 digests and matched in constant time: a lookup compares
/// the presented key with every configured one, so timing tells nothing about which prefix matched.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly (string Name, string Role, byte[] Digest)[] _keys;

    public ApiKeyRing(string adminKey, IReadOnlyDictionary<string, ApiKeyOptions> namedKeys)
    {
        ArgumentNullException.ThrowIfNull(adminKey);
        ArgumentNullException.ThrowIfNull(namedKeys);
        _keys = [(ApiRole.Admin, ApiRole.Admin, Digest(adminKey)), .. namedKeys.Select(k => (k.Key, k.Value.Role, Digest(k.Value.Key)))];
    }

    /// <summary>The key's name and role, or null when no configured key matches.</summary>
    public (string Name, string Role)? Find(string presentedKey)
    {
        ArgumentNullException.ThrowIfNull(presentedKey);
        var digest = Digest(presentedKey);
        (string, string)? match = null;
        foreach (var (name, role, stored) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, stored))
            {
                match = (name, role);
            }
        }

        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

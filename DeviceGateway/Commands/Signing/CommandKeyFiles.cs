using System.Security.Cryptography;
using IoTPlatform.DeviceGateway.Storage;

namespace IoTPlatform.DeviceGateway.Commands.Signing;

/// <summary>Reads and writes command-signing key PEM files and derives a key's kid.</summary>
internal static class CommandKeyFiles
{
    public const string KidPrefix = "es256-";

    private const int KidHexChars = 16;
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// <c>es256-</c> + the first 16 hex digits of SHA-256 over the SubjectPublicKeyInfo DER: the same key gives the
    /// same kid on every instance, with nothing to coordinate.
    /// </summary>
    public static string KidOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var digest = SHA256.HashData(key.ExportSubjectPublicKeyInfo());
        return KidPrefix + Convert.ToHexStringLower(digest, 0, KidHexChars / 2);
    }

    /// <summary>True for a kid this backend makes: safe to use as a file name.</summary>
    public static bool IsKid(string? kid) =>
        kid is { Length: 6 + KidHexChars }
        && kid.StartsWith(KidPrefix, StringComparison.Ordinal)
        && kid.AsSpan(KidPrefix.Length).ContainsAnyExcept(LowerHex) is false;

    /// <summary>
    /// Reads a PEM EC key and checks that it is P-256 (and, when <paramref name="requirePrivate"/>, that the private key
    /// is there). Null with a reason that completes "'{path}' …" when it is not usable; never throws for bad input.
    /// </summary>
    public static ECDsa? TryRead(string path, bool requirePrivate, out string? error)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            error = $"cannot be read: {ex.Message}";
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            error = $"is not a PEM EC key (PKCS#8 'PRIVATE KEY', SEC1 'EC PRIVATE KEY'{(requirePrivate ? "" : " or 'PUBLIC KEY'")}; not encrypted): {ex.Message}";
            return null;
        }

        if (!IsP256(key, out var curve))
        {
            key.Dispose();
            error = $"holds a key on curve {curve}; command signing (ES256) needs a P-256 key (openssl: -name prime256v1).";
            return null;
        }

        if (requirePrivate && !HasPrivateKey(key))
        {
            key.Dispose();
            error = "holds only a public key; the signing key needs its private key.";
            return null;
        }

        error = null;
        return key;
    }

    /// <summary>Writes <paramref name="text"/> atomically, readable by the owner only, replacing what was there.</summary>
    public static void WriteOwnerOnly(string path, string text) => DataDirectory.WriteOwnerOnly(path, text, overwrite: true);

    /// <summary>The folder for generated keys, owner-only on Unix.</summary>
    public static void EnsureFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
        }
    }

    private static bool IsP256(ECDsa key, out string curve)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false).Curve;
        curve = parameters.IsNamed ? parameters.Oid.FriendlyName ?? parameters.Oid.Value ?? "unnamed-curve" : "unnamed-curve";
        curve = $"{curve} ({key.KeySize}-bit)";
        return key.KeySize == 256
            && parameters.IsNamed
            && (parameters.Oid.Value == P256Oid || parameters.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1");
    }

    private static bool HasPrivateKey(ECDsa key)
    {
        try
        {
            var parameters = key.ExportParameters(includePrivateParameters: true);
            var has = parameters.D is { Length: > 0 };
            if (parameters.D is { } d)
            {
                CryptographicOperations.ZeroMemory(d);
            }

            return has;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

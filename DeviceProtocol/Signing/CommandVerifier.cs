using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>
/// Checks command signatures against the backend's public keys, by <c>kid</c>. <see cref="Verify"/>
/// never throws. It checks the signature only: expiry, clock trust and novelty of the id are the
/// controller's further checks. Thread-safe; dispose it to free the keys.
/// </summary>
public sealed class CommandVerifier : IDisposable
{
    /// <summary>Length of a padded base64 P1363 P-256 signature.</summary>
    public const int SignatureBase64Length = 88;

    private const int SignatureBytes = 64;

    private readonly Dictionary<string, ECDsa> _keys;

    /// <summary>Builds a verifier from public keys.</summary>
    /// <exception cref="ArgumentException">A key that is not ES256 P-256 PEM, or a kid listed twice.</exception>
    public CommandVerifier(IEnumerable<CommandSigningKey> keys)
    {
        if (!TryLoad(keys, out var loaded, out var error))
        {
            throw new ArgumentException(error, nameof(keys));
        }

        _keys = loaded;
    }

    private CommandVerifier(Dictionary<string, ECDsa> keys) => _keys = keys;

    /// <summary>The kids this verifier knows.</summary>
    public IReadOnlyCollection<string> Kids => _keys.Keys;

    /// <summary>A verifier from the key set served at <c>GET /api/keys/command-signing</c>.</summary>
    public static CommandVerifier FromKeySet(CommandSigningKeySet keySet)
    {
        ArgumentNullException.ThrowIfNull(keySet);
        return new CommandVerifier(keySet.Keys);
    }

    /// <summary>As the constructor, without throwing: for a key set that came over the network.</summary>
    public static bool TryCreate(IEnumerable<CommandSigningKey>? keys, [NotNullWhen(true)] out CommandVerifier? verifier, [NotNullWhen(false)] out string? error)
    {
        verifier = TryLoad(keys, out var loaded, out error) ? new CommandVerifier(loaded) : null;
        return verifier is not null;
    }

    /// <summary>Checks <paramref name="command"/>'s signature for the device <paramref name="deviceId"/>.</summary>
    public VerificationResult Verify(DeviceCommand command, string deviceId)
    {
        if (command?.Kid is null || !_keys.TryGetValue(command.Kid, out var key))
        {
            return VerificationResult.Invalid(VerificationReasons.UnknownKid);
        }

        Span<byte> signature = stackalloc byte[SignatureBytes + 2];
        if (command.Sig is not { Length: SignatureBase64Length } sig
            || !Convert.TryFromBase64String(sig, signature, out var written)
            || written != SignatureBytes)
        {
            return VerificationResult.Invalid(VerificationReasons.BadSignature);
        }

        var canonical = CommandCanonicalForm.TryGetCanonicalString(deviceId, command.Id, command.Action, command.Slot, command.IssuedAt, command.ExpiresAt);
        if (canonical is null || !DeviceId.IsValid(deviceId))
        {
            return VerificationResult.Invalid(VerificationReasons.BadSignature);
        }

        var data = Encoding.UTF8.GetBytes(canonical);
        try
        {
            bool ok;
            lock (key)
            {
                ok = key.VerifyData(data, signature[..SignatureBytes], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }

            return ok ? VerificationResult.Valid : VerificationResult.Invalid(VerificationReasons.BadSignature);
        }
        catch (CryptographicException)
        {
            return VerificationResult.Invalid(VerificationReasons.BadSignature);
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static bool TryLoad(IEnumerable<CommandSigningKey>? keys, [NotNullWhen(true)] out Dictionary<string, ECDsa>? loaded, [NotNullWhen(false)] out string? error)
    {
        loaded = null;
        if (keys is null)
        {
            error = "No keys.";
            return false;
        }

        var result = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (var entry in keys)
        {
            error = entry switch
            {
                null => "A key entry is null.",
                { Kid: null or "" } => "A key has no kid.",
                { Algorithm: not CommandSigningKey.Es256 } => $"Key '{entry.Kid}' has algorithm '{entry.Algorithm}'; only {CommandSigningKey.Es256} is supported.",
                { PublicKeyPem: null } => $"Key '{entry.Kid}' has no PEM.",
                _ when result.ContainsKey(entry.Kid) => $"Key '{entry.Kid}' is listed twice.",
                _ => null,
            };
            var key = error is null ? TryImport(entry!.PublicKeyPem!, out error) : null;
            if (key is null)
            {
                foreach (var k in result.Values)
                {
                    k.Dispose();
                }

                error = $"Key '{entry?.Kid}': {error}";
                return false;
            }

            result.Add(entry!.Kid!, key);
        }

        loaded = result;
        error = null;
        return true;
    }

    private static ECDsa? TryImport(string pem, out string? error)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (!P256.Is(key))
            {
                error = "not a P-256 key; ES256 needs P-256.";
                key.Dispose();
                return null;
            }

            error = null;
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            error = "not a PEM EC public key (" + ex.Message + ")";
            key.Dispose();
            return null;
        }
    }
}

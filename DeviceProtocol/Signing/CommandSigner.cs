using System.Security.Cryptography;
using System.Text;

namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>
/// Signs commands with the backend's ECDSA P-256 private key: SHA-256, IEEE P1363 (r‖s, 64 bytes),
/// base64 with the standard alphabet and padding. The caller owns the key and disposes it after the
/// signer. Thread-safe.
/// </summary>
public sealed class CommandSigner
{
    private readonly ECDsa _key;

    /// <param name="privateKey">A P-256 key with its private part.</param>
    /// <param name="kid">The key's id, as listed in the key set.</param>
    /// <exception cref="ArgumentException">Not a P-256 key, or an unusable kid.</exception>
    public CommandSigner(ECDsa privateKey, string kid)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(kid);
        if (!P256.Is(privateKey))
        {
            throw new ArgumentException("Command signing needs a P-256 (ES256) key.", nameof(privateKey));
        }

        if (kid.Length is 0 or > PayloadValidator.MaxTextLength || kid.Any(char.IsControl))
        {
            throw new ArgumentException($"A kid has 1…{PayloadValidator.MaxTextLength} characters and no control characters.", nameof(kid));
        }

        _key = privateKey;
        Kid = kid;
        PublicKey = new CommandSigningKey { Kid = kid, PublicKeyPem = privateKey.ExportSubjectPublicKeyInfoPem() };
    }

    public string Kid { get; }

    /// <summary>This key's entry in the key set (the public key as PEM).</summary>
    public CommandSigningKey PublicKey { get; }

    /// <summary>Builds and signs a command for <paramref name="deviceId"/>.</summary>
    /// <exception cref="ArgumentException">An input the protocol does not allow (see <see cref="PayloadValidator.Validate(DeviceCommand, int?, out ValidationError)"/>).</exception>
    public DeviceCommand Sign(string deviceId, string commandId, CommandAction action, int? slot, long issuedAtUnixMs, long expiresAtUnixMs)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        if (!DeviceId.IsValid(deviceId))
        {
            throw new ArgumentException($"'{deviceId}' is not a device id ({DeviceId.Pattern}).", nameof(deviceId));
        }

        var draft = new DeviceCommand
        {
            Id = commandId,
            Action = action,
            Slot = slot,
            IssuedAt = issuedAtUnixMs,
            ExpiresAt = expiresAtUnixMs,
            Kid = Kid,
            Sig = "-",
        };
        if (!PayloadValidator.Validate(draft, slotCount: null, out var error))
        {
            throw new ArgumentException($"Cannot sign this command: {error}", error.Field);
        }

        var data = CommandCanonicalForm.GetBytes(draft, deviceId);
        byte[] signature;
        lock (_key)
        {
            signature = _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return draft with { Sig = Convert.ToBase64String(signature) };
    }

    /// <summary>Signs arbitrary canonical text (for test vectors and tools); returns base64 of the P1363 signature.</summary>
    public string SignCanonical(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        lock (_key)
        {
            return Convert.ToBase64String(_key.SignData(Encoding.UTF8.GetBytes(canonical), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
    }
}

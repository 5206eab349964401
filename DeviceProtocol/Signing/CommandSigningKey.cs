namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>One public key of the command-signing key set: <c>{"kid", "algorithm": "ES256", "publicKeyPem"}</c>.</summary>
public sealed record CommandSigningKey
{
    /// <summary>The only algorithm of protocol v1: ECDSA P-256 with SHA-256, IEEE P1363 signatures.</summary>
    public const string Es256 = "ES256";

    public required string Kid { get; init; }

    public string Algorithm { get; init; } = Es256;

    /// <summary>SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public required string PublicKeyPem { get; init; }
}

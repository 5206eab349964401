namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// A signed command on <c>v1/devices/{id}/commands</c>: <c>{id, action, slot?, issuedAt, expiresAt, kid, sig}</c>.
/// Made by <see cref="Signing.CommandSigner"/>, checked by <see cref="Signing.CommandVerifier"/>.
/// </summary>
public sealed record DeviceCommand
{
    /// <summary>Opaque command id (a ULID); a repeated id is answered with the recorded ack.</summary>
    public required string Id { get; init; }

    public required CommandAction Action { get; init; }

    /// <summary>Kiosk slot, from 1; required for <c>release</c>/<c>secure</c>, absent for <c>unlock</c>/<c>lock</c>.</summary>
    public int? Slot { get; init; }

    /// <summary>Unix epoch milliseconds.</summary>
    public required long IssuedAt { get; init; }

    /// <summary>Unix epoch milliseconds; the device refuses the command after it.</summary>
    public required long ExpiresAt { get; init; }

    /// <summary>Id of the signing key.</summary>
    public required string Kid { get; init; }

    /// <summary>Standard base64 (padded) of the 64-byte IEEE P1363 ECDSA P-256/SHA-256 signature.</summary>
    public required string Sig { get; init; }
}

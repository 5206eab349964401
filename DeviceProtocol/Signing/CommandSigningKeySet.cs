namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>
/// The backend's command-signing public keys, served at <c>GET /api/keys/command-signing</c>:
/// <c>{"keys": [{"kid", "algorithm": "ES256", "publicKeyPem"}], "current": kid}</c>. Old keys stay listed
/// while commands signed with them may still be in flight.
/// </summary>
public sealed record CommandSigningKeySet
{
    public required IReadOnlyList<CommandSigningKey> Keys { get; init; }

    /// <summary>The kid new commands are signed with.</summary>
    public required string Current { get; init; }
}

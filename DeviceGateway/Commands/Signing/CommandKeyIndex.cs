namespace IoTPlatform.DeviceGateway.Commands.Signing;

/// <summary>
/// <c>command-signing/keys.json</c>: which generated key is current and until when each rotated-out key stays in the
/// key set. Each kid's private key is <c>{kid}.pem</c> beside it.
/// </summary>
internal sealed record CommandKeyIndex
{
    public string? Current { get; init; }

    public IReadOnlyList<RetiredKeyEntry>? Retired { get; init; }
}

/// <summary>A rotated-out key of <see cref="CommandKeyIndex"/>: listed in the key set until <see cref="RetireAt"/>.</summary>
internal sealed record RetiredKeyEntry
{
    public string? Kid { get; init; }

    public DateTimeOffset? RetireAt { get; init; }
}

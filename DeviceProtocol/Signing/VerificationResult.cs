namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>The outcome of <see cref="CommandVerifier.Verify"/>.</summary>
/// <param name="IsValid">True when the signature is good for this device.</param>
/// <param name="Reason">Null when valid; otherwise one of <see cref="VerificationReasons"/>.</param>
public readonly record struct VerificationResult(bool IsValid, string? Reason)
{
    public static VerificationResult Valid => new(true, null);

    public static VerificationResult Invalid(string reason) => new(false, reason);
}

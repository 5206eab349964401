namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>Stable codes of <see cref="VerificationResult.Reason"/>.</summary>
public static class VerificationReasons
{
    /// <summary>The command's <c>kid</c> names no key the verifier holds.</summary>
    public const string UnknownKid = "unknown-kid";

    /// <summary>The signature is malformed (not padded standard base64 of 64 bytes) or does not match the canonical bytes. Same string as <see cref="RejectReasons.BadSignature"/>, so a controller can put it in its ack.</summary>
    public const string BadSignature = RejectReasons.BadSignature;

    public static IReadOnlyList<string> All { get; } = [UnknownKid, BadSignature];
}

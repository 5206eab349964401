namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// The <c>reason</c> strings of a command ack. A string set, not an enum: devices may send others
/// (kept as sent), and <see cref="IsKnown"/> tells the backend whether it knows one.
/// </summary>
public static class RejectReasons
{
    public const string BadSignature = "bad-signature";
    public const string Expired = "expired";
    public const string ClockUnsynced = "clock-unsynced";
    public const string Unsupported = "unsupported";
    public const string BadSlot = "bad-slot";

    /// <summary>The reason of a <c>failed</c> ack whose sensor disagrees with the command.</summary>
    public const string Jammed = "jammed";

    /// <summary>The reasons of a <c>rejected</c> ack.</summary>
    public static IReadOnlyList<string> Rejections { get; } = [BadSignature, Expired, ClockUnsynced, Unsupported, BadSlot];

    public static bool IsKnown(string? reason) => reason is BadSignature or Expired or ClockUnsynced or Unsupported or BadSlot or Jammed;
}

namespace IoTPlatform.DeviceProtocol;

/// <summary>Why a decoded payload is not acceptable.</summary>
/// <param name="Reason">One of <see cref="ValidationReasons"/>: count by this.</param>
/// <param name="Field">The wire name of the offending field, e.g. <c>lat</c> or <c>slots[2].n</c>.</param>
/// <param name="Message">For people: the value and the rule it breaks.</param>
public sealed record ValidationError(string Reason, string Field, string Message)
{
    public override string ToString() => $"{Reason} ({Field}): {Message}";
}

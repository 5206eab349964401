namespace IoTPlatform.DeviceProtocol;

/// <summary>Why a payload could not be decoded.</summary>
/// <param name="Reason">One of <see cref="DecodeReasons"/>: count by this.</param>
/// <param name="Path">JSON path of the offending value (<c>$</c>, <c>$.seq</c>, <c>$[3].slots[0].state</c>).</param>
/// <param name="Message">For people: what is wrong, naming the field.</param>
public sealed record DecodeError(string Reason, string Path, string Message)
{
    public override string ToString() => $"{Reason} at {Path}: {Message}";
}

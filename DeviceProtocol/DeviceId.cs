namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// Device ids are the MQTT client id and username: <c>[a-z0-9][a-z0-9-]{2,63}</c>.
/// Checked by hand (no regex) because the broker checks every CONNECT.
/// </summary>
public static class DeviceId
{
    public const int MinLength = 3;
    public const int MaxLength = 64;
    public const string Pattern = "^[a-z0-9][a-z0-9-]{2,63}$";

    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length is < MinLength or > MaxLength || id[0] == '-')
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}

namespace IoTPlatform.DeviceProtocol;

/// <summary>Stable machine codes of <see cref="DecodeError.Reason"/>, fit for metric labels.</summary>
public static class DecodeReasons
{
    /// <summary>No bytes, only whitespace, or an empty array.</summary>
    public const string Empty = "empty";

    /// <summary>Larger than <see cref="PayloadCodec.MaxPayloadBytes"/>.</summary>
    public const string TooLarge = "too-large";

    /// <summary>Not valid UTF-8.</summary>
    public const string NotUtf8 = "not-utf8";

    /// <summary>Not well-formed JSON (syntax, truncation, trailing data, comments).</summary>
    public const string MalformedJson = "malformed-json";

    /// <summary>Nested deeper than <see cref="PayloadCodec.MaxDepth"/>.</summary>
    public const string TooDeep = "too-deep";

    /// <summary>An array of more than <see cref="PayloadCodec.MaxItems"/> items.</summary>
    public const string TooManyItems = "too-many-items";

    /// <summary>A value of the wrong JSON type (a string for a number, null for a required value, an array for an object…).</summary>
    public const string WrongType = "wrong-type";

    /// <summary>A required field is absent.</summary>
    public const string MissingField = "missing-field";

    /// <summary>Right JSON type, impossible value: an unknown enum string, a number that does not fit its field (1e400, 99999999999999999999, 1.5 for an integer).</summary>
    public const string InvalidValue = "invalid-value";

    public static IReadOnlyList<string> All { get; } =
        [Empty, TooLarge, NotUtf8, MalformedJson, TooDeep, TooManyItems, WrongType, MissingField, InvalidValue];
}

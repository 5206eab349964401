using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// One allocation-free pass over a payload before it is deserialized: UTF-8, syntax, depth, the
/// top-level shape and the item count. What passes is well-formed JSON within the limits, so any
/// later serializer error is about types and values.
/// </summary>
internal static class JsonPrescan
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Checks <paramref name="utf8"/>; on success <paramref name="json"/> is the payload without a BOM.</summary>
    public static bool Check(ReadOnlySpan<byte> utf8, bool allowArray, out ReadOnlySpan<byte> json, out bool isArray, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out DecodeError? error)
    {
        json = utf8.StartsWith(Bom) ? utf8[Bom.Length..] : utf8;
        isArray = false;
        if (utf8.Length > PayloadCodec.MaxPayloadBytes)
        {
            error = new DecodeError(DecodeReasons.TooLarge, "$", string.Create(CultureInfo.InvariantCulture,
                $"The payload has {utf8.Length} bytes; at most {PayloadCodec.MaxPayloadBytes} are accepted."));
            return false;
        }

        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = new DecodeError(DecodeReasons.Empty, "$", "The payload is empty.");
            return false;
        }

        if (!Utf8.IsValid(json))
        {
            error = new DecodeError(DecodeReasons.NotUtf8, "$", "The payload is not valid UTF-8.");
            return false;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = 64,
        });
        var items = 0;
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (reader.CurrentDepth == 0 && token is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
                {
                    if (token == JsonTokenType.StartArray && allowArray)
                    {
                        isArray = true;
                    }
                    else if (token != JsonTokenType.StartObject)
                    {
                        error = new DecodeError(DecodeReasons.WrongType, "$", string.Create(CultureInfo.InvariantCulture,
                            $"The payload must be a JSON object{(allowArray ? " or an array of objects" : string.Empty)}, not {Describe(token)}."));
                        return false;
                    }
                }
                else if (isArray && reader.CurrentDepth == 1 && token is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
                {
                    if (++items > PayloadCodec.MaxItems)
                    {
                        error = new DecodeError(DecodeReasons.TooManyItems, "$", string.Create(CultureInfo.InvariantCulture,
                            $"The array has more than {PayloadCodec.MaxItems} items."));
                        return false;
                    }

                    if (token != JsonTokenType.StartObject)
                    {
                        var path = string.Create(CultureInfo.InvariantCulture, $"$[{items - 1}]");
                        error = new DecodeError(DecodeReasons.WrongType, path, $"Item {path} must be a JSON object, not {Describe(token)}.");
                        return false;
                    }
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= PayloadCodec.MaxDepth)
                {
                    error = new DecodeError(DecodeReasons.TooDeep, "$", string.Create(CultureInfo.InvariantCulture,
                        $"The payload nests deeper than {PayloadCodec.MaxDepth} levels (at byte {reader.TokenStartIndex + 1})."));
                    return false;
                }
            }
        }
        catch (JsonException ex)
        {
            error = new DecodeError(DecodeReasons.MalformedJson, "$", string.Create(CultureInfo.InvariantCulture,
                $"Malformed JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}."));
            return false;
        }

        if (isArray && items == 0)
        {
            error = new DecodeError(DecodeReasons.Empty, "$", "The array holds no items.");
            return false;
        }

        error = null;
        return true;
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}

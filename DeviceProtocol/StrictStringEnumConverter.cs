using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// The enum converter of the wire: exactly the names given by <see cref="JsonStringEnumMemberNameAttribute"/>,
/// case-sensitive. Unlike <see cref="JsonStringEnumConverter{TEnum}"/> it refuses integers, other
/// cases, surrounding whitespace and comma-separated lists (which that converter ORs together, so
/// <c>"tamper,boot"</c> would read as a third event type). Reading allocates nothing.
/// </summary>
/// <typeparam name="TEnum">A wire enum whose every member carries a <see cref="JsonStringEnumMemberNameAttribute"/>.</typeparam>
public sealed class StrictStringEnumConverter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly (TEnum Value, byte[] Utf8, JsonEncodedText Encoded)[] Names = typeof(TEnum)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f =>
        {
            var name = f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{f.Name} has no wire name.");
            return ((TEnum)f.GetValue(null)!, System.Text.Encoding.UTF8.GetBytes(name), JsonEncodedText.Encode(name));
        })
        .ToArray();

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            foreach (var (value, utf8, _) in Names)
            {
                if (reader.ValueTextEquals(utf8))
                {
                    return value;
                }
            }
        }

        // The codec tells an unknown string (invalid-value) from another token (wrong-type) by the token.
        throw new JsonException($"Not a {typeof(TEnum).Name} wire name.");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (candidate, _, encoded) in Names)
        {
            if (EqualityComparer<TEnum>.Default.Equals(candidate, value))
            {
                writer.WriteStringValue(encoded);
                return;
            }
        }

        throw new JsonException($"{value} is not a defined {typeof(TEnum).Name}.");
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// The string enum converter of the wire: names come from <see cref="JsonStringEnumMemberNameAttribute"/>,
/// and integers (<c>"lock": 1</c>) are refused, so a device cannot smuggle an undefined enum value in.
/// </summary>
/// <typeparam name="TEnum">The wire enum.</typeparam>
public sealed class StrictStringEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public StrictStringEnumConverter()
        : base(namingPolicy: null, allowIntegerValues: false)
    {
    }
}

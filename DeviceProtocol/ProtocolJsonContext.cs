using System.Text.Json.Serialization;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// Source-generated System.Text.Json metadata for every payload of protocol v1: camelCase names,
/// nulls left out when writing, strict numbers (no numbers in strings, no NaN), no comments, no
/// trailing commas. Prefer <see cref="PayloadCodec"/>, which adds the limits and never throws.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    MaxDepth = 64,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(Reading))]
[JsonSerializable(typeof(List<Reading>))]
[JsonSerializable(typeof(IReadOnlyList<Reading>))]
[JsonSerializable(typeof(DeviceEvent))]
[JsonSerializable(typeof(List<DeviceEvent>))]
[JsonSerializable(typeof(IReadOnlyList<DeviceEvent>))]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(CommandAck))]
[JsonSerializable(typeof(CommandSigningKeySet))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>Outcome of a <c>done</c> ack: <c>ok</c>, <c>failed</c> (actuated, sensor disagrees) or <c>rejected</c> (not executed).</summary>
[JsonConverter(typeof(StrictStringEnumConverter<AckResult>))]
public enum AckResult
{
    [JsonStringEnumMemberName("ok")]
    Ok,

    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("rejected")]
    Rejected,
}

using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>How far a controller got with a command: <c>received</c> (accepted for execution) or <c>done</c>.</summary>
[JsonConverter(typeof(StrictStringEnumConverter<AckStage>))]
public enum AckStage
{
    [JsonStringEnumMemberName("received")]
    Received,

    [JsonStringEnumMemberName("done")]
    Done,
}

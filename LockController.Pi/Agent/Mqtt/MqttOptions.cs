using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>Configuration section <c>Mqtt</c>: how the agent keeps its connection to the broker.</summary>
public sealed class MqttOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Mqtt";

    /// <summary>MQTT keepalive; the broker requires 1..300 s and counts the device gone after 1.5 × this without a packet.</summary>
    [Range(1, 300)]
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>How long a CONNECT, PUBLISH or SUBSCRIBE may wait for the broker's answer.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>First pause after a failed connect; doubled per failure with jitter up to <see cref="ReconnectMaxDelayMilliseconds"/>.</summary>
    [Range(1, 3_600_000)]
    public int ReconnectDelayMilliseconds { get; set; } = 1000;

    /// <summary>Longest pause between connect attempts.</summary>
    [Range(1, 3_600_000)]
    public int ReconnectMaxDelayMilliseconds { get; set; } = 60_000;

    /// <summary>Pause after the broker refused the credentials (or the device): retrying at once cannot help.</summary>
    [Range(1, 86_400)]
    public int BadCredentialsDelaySeconds { get; set; } = 300;

    /// <summary>First pause before re-sending a record the broker withheld (PUBACK 0x97); doubled with jitter up to <see cref="QuotaRetryMaxDelayMilliseconds"/>.</summary>
    [Range(1, 3_600_000)]
    public int QuotaRetryDelayMilliseconds { get; set; } = 500;

    /// <summary>Longest pause before re-sending a withheld record.</summary>
    [Range(1, 3_600_000)]
    public int QuotaRetryMaxDelayMilliseconds { get; set; } = 30_000;
}

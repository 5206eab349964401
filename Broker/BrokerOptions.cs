using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.Broker;

/// <summary>The embedded MQTT broker. Section <c>Broker</c>.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary>MQTT over TCP; 0 picks a free port (tests).</summary>
    [Range(0, 65535)]
    public int TcpPort { get; set; } = 1883;

    /// <summary>Address the TCP listener binds. Loopback by default; set <c>0.0.0.0</c> to serve a fleet.</summary>
    [Required(AllowEmptyStrings = false)]
    public string TcpAddress { get; set; } = "127.0.0.1";

    /// <summary>MQTT over WebSocket at this path of the HTTP port.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^/.*", ErrorMessage = "Broker:WebSocketPath must start with '/'.")]
    public string WebSocketPath { get; set; } = "/mqtt";

    /// <summary>
    /// Largest application payload a device may publish. Packets announcing more than this (plus
    /// <see cref="HeaderAllowanceBytes"/> for topic and properties) are refused from their fixed header,
    /// before any of it is buffered.
    /// </summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 65_536;

    /// <summary>Room for the variable header (topic, packet id, properties) above the payload limit.</summary>
    [Range(64, 65_536)]
    public int HeaderAllowanceBytes { get; set; } = 1024;

    /// <summary>Sustained publishes per second one device may send (a backlog array counts as one).</summary>
    [Range(0.01, 100_000)]
    public double PublishRatePerSecond { get; set; } = 20;

    /// <summary>Publishes one device may send in a burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int PublishBurst { get; set; } = 200;

    /// <summary>Longest keepalive a device may ask for, in seconds (0 is always refused).</summary>
    [Range(1, 65_535)]
    public int MaxKeepAliveSeconds { get; set; } = 300;

    /// <summary>How long a new connection may take to send its CONNECT.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest MQTT packet accepted: the payload limit plus the header allowance.</summary>
    public long MaxPacketBytes => (long)MaxPayloadBytes + HeaderAllowanceBytes;
}

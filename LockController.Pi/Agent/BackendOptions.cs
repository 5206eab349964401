using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>Configuration section <c>Backend</c>: where the broker and the HTTP API are.</summary>
public sealed class BackendOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Backend";

    /// <summary>The broker as <c>host:port</c> (MQTT over TCP), e.g. <c>127.0.0.1:1883</c>; a bare host means port 1883.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Mqtt { get; set; } = "";

    /// <summary>The backend's HTTP API, e.g. <c>http://127.0.0.1:8080</c>: the command-signing keys are fetched from it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Api { get; set; }

    /// <summary>The broker's host and port; false when <see cref="Mqtt"/> is not <c>host[:port]</c>.</summary>
    public bool TryGetBroker(out string host, out int port)
    {
        host = "";
        port = 1883;
        string value = Mqtt.Trim();
        if (value.Length == 0)
            return false;
        int colon = value.LastIndexOf(':');
        // "[::1]:1883" and "host:1883"; a bare IPv6 address without brackets has more than one colon and no port.
        if (colon > 0 && value.IndexOf(':', StringComparison.Ordinal) == colon || value.StartsWith('[') && colon > value.IndexOf(']', StringComparison.Ordinal))
        {
            if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                return false;
            value = value[..colon];
        }
        host = value.Trim('[', ']');
        return host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    /// <summary>The API's base address; null when not set or not an absolute http(s) URL.</summary>
    public Uri? ApiUri =>
        Uri.TryCreate(Api, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
}

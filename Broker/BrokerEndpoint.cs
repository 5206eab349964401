using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IoTPlatform.Broker;

/// <summary>Where the MQTT TCP listener is bound (its port is known only after Kestrel started, e.g. port 0).</summary>
public sealed class BrokerEndpoint
{
    internal ListenOptions? Listener { get; set; }

    public IPEndPoint? TcpEndPoint => Listener?.IPEndPoint;

    /// <summary>True once the MQTT server accepts connections.</summary>
    public bool IsReady { get; internal set; }
}

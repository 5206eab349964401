using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace IoTPlatform.Broker.Presence;

/// <summary>
/// Presence from the broker's connection events: online while an authenticated connection is open.
/// Every connect, clean disconnect, keepalive timeout, takeover and forced close becomes a transition
/// with its reason (a will alone cannot tell: none is sent after a clean DISCONNECT or a takeover).
/// <c>lastSeen</c> is the time of the device's last packet.
/// </summary>
public sealed class PresenceTracker(TimeProvider time, IPresenceStore store, BrokerStats stats, ILogger<PresenceTracker> logger)
{
    /// <summary>Slack for the keepalive monitor, which looks every 500 ms.</summary>
    private static readonly TimeSpan KeepAliveSlack = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _lastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unsavedLastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ushort KeepAlive, MqttProtocolVersion Protocol)> _connectInfo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _closeReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _endpointCloseReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _deviceByEndpoint = new(StringComparer.Ordinal);
    private volatile bool _stopping;

    public int OnlineCount => _connections.Count;

    public bool IsOnline(string deviceId) => _connections.ContainsKey(deviceId);

    /// <summary>When the device last sent a packet while this process ran, or null.</summary>
    public DateTimeOffset? LastSeen(string deviceId) =>
        _lastSeen.TryGetValue(deviceId, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Last-seen times changed since the previous call, for the store to save in one batch.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TakeUnsavedLastSeen()
    {
        var taken = new List<KeyValuePair<string, long>>(_unsavedLastSeen.Count);
        foreach (var id in _unsavedLastSeen.Keys)
        {
            if (_unsavedLastSeen.TryRemove(id, out var ms))
            {
                taken.Add(new(id, ms));
            }
        }

        return taken;
    }

    /// <summary>The keepalive and protocol of the device's accepted CONNECT (known only at validation).</summary>
    public void NoteConnect(string deviceId, ushort keepAliveSeconds, MqttProtocolVersion protocol) =>
        _connectInfo[deviceId] = (keepAliveSeconds, protocol);

    /// <summary>The MQTT version of the device's latest accepted connection.</summary>
    public MqttProtocolVersion ProtocolOf(string deviceId) =>
        _connectInfo.TryGetValue(deviceId, out var info) ? info.Protocol : MqttProtocolVersion.V311;

    /// <summary>The broker is about to close this device's connection: record <paramref name="reason"/> for it.</summary>
    public void ExpectClose(string deviceId, string reason) => _closeReasons[deviceId] = reason;

    /// <summary>As <see cref="ExpectClose(string, string)"/> for a connection whose device is not known yet.</summary>
    public void ExpectClose(EndPoint endpoint, string reason) => _endpointCloseReasons[endpoint.ToString() ?? ""] = reason;

    /// <summary>The connection from <paramref name="endpoint"/> is over: drop what was kept for it.</summary>
    public void ConnectionEnded(EndPoint endpoint)
    {
        var key = endpoint.ToString() ?? "";
        _endpointCloseReasons.TryRemove(key, out _);
        _deviceByEndpoint.TryRemove(key, out _);
    }

    /// <summary>The device connected from <paramref name="endpoint"/>, if it got as far as CONNECT.</summary>
    public string? DeviceAt(EndPoint endpoint) => _deviceByEndpoint.TryGetValue(endpoint.ToString() ?? "", out var id) ? id : null;

    /// <summary>From now on every disconnect is the gateway's own shutdown.</summary>
    public void Stopping() => _stopping = true;

    /// <summary>
    /// Waits (shutdown only) until every connection's disconnect event has been recorded: MQTTnet raises
    /// them from each connection's own task, after its stop call returned.
    /// </summary>
    public async Task<bool> WaitUntilAllOfflineAsync(TimeSpan timeout)
    {
        var started = time.GetTimestamp();
        while (!_connections.IsEmpty)
        {
            if (time.GetElapsedTime(started) > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), time).ConfigureAwait(false);
        }

        return true;
    }

    public Task OnConnectedAsync(ClientConnectedEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var now = time.GetUtcNow();
        Seen(e.ClientId, now);
        _closeReasons.TryRemove(e.ClientId, out _); // left over from a connection that was taken over
        _connections.AddOrUpdate(e.ClientId, _ => new Connection(1), (_, c) => c with { Count = c.Count + 1 });
        stats.Connected();
        var endpoint = e.RemoteEndPoint?.ToString();
        if (endpoint is not null)
        {
            _deviceByEndpoint[endpoint] = e.ClientId;
        }

        store.Record(new PresenceTransition(e.ClientId, now, true, PresenceReasons.Connect, endpoint));
        Log.DeviceOnline(logger, e.ClientId, endpoint, e.ProtocolVersion.ToString());
        return Task.CompletedTask;
    }

    public Task OnDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var now = time.GetUtcNow();
        var reason = ReasonFor(e, now);
        var stillOnline = false;
        while (_connections.TryGetValue(e.ClientId, out var connection))
        {
            if (connection.Count > 1)
            {
                if (_connections.TryUpdate(e.ClientId, connection with { Count = connection.Count - 1 }, connection))
                {
                    stillOnline = true;
                    break;
                }
            }
            else if (_connections.TryRemove(new KeyValuePair<string, Connection>(e.ClientId, connection)))
            {
                break;
            }
        }

        var endpoint = e.RemoteEndPoint?.ToString();
        if (endpoint is not null)
        {
            _deviceByEndpoint.TryRemove(endpoint, out _);
        }

        store.Record(new PresenceTransition(e.ClientId, now, stillOnline, reason, endpoint));
        Log.DeviceOffline(logger, e.ClientId, reason, stillOnline);
        return Task.CompletedTask;
    }

    public Task OnInboundPacketAsync(InterceptingPacketEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Seen(e.ClientId, time.GetUtcNow());
        return Task.CompletedTask;
    }

    private void Seen(string deviceId, DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        _lastSeen[deviceId] = ms;
        _unsavedLastSeen[deviceId] = ms;
    }

    private string ReasonFor(ClientDisconnectedEventArgs e, DateTimeOffset now)
    {
        if (e.DisconnectType == MqttClientDisconnectType.Takeover)
        {
            return PresenceReasons.Takeover;
        }

        if (_closeReasons.TryRemove(e.ClientId, out var forced)
            || (e.RemoteEndPoint is { } endpoint && _endpointCloseReasons.TryRemove(endpoint.ToString() ?? "", out forced)))
        {
            return forced;
        }

        if (e.DisconnectType == MqttClientDisconnectType.Clean)
        {
            return PresenceReasons.CleanDisconnect;
        }

        if (_stopping)
        {
            return PresenceReasons.GatewayStopped;
        }

        if (_connectInfo.TryGetValue(e.ClientId, out var info) && info.KeepAlive > 0 && _lastSeen.TryGetValue(e.ClientId, out var lastMs))
        {
            var silent = now - DateTimeOffset.FromUnixTimeMilliseconds(lastMs);
            if (silent >= TimeSpan.FromSeconds(info.KeepAlive * 1.5) - KeepAliveSlack)
            {
                return PresenceReasons.KeepAliveTimeout;
            }
        }

        return PresenceReasons.ConnectionLost;
    }

    private sealed record Connection(int Count);
}

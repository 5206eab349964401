using System.Collections;
using System.Collections.Concurrent;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker;

/// <summary>
/// Sends a command to one device's own MQTT session — never through <see cref="MqttServer.InjectApplicationMessage"/>,
/// which walks every subscriber session — and tells when a device's connection has a subscription to its
/// <c>v1/devices/{id}/commands</c>.
/// </summary>
/// <remarks>
/// <para>What MQTTnet 5.2.0.1603 does (read from its decompiled <c>MQTTnet.Server.dll</c>):</para>
/// <list type="bullet">
/// <item><see cref="MqttServer.GetSessionAsync"/> is one dictionary lookup under the sessions read lock; it
/// throws <see cref="InvalidOperationException"/> ("Session with ID '…' not found.") for an unknown session, and
/// <see cref="InvalidOperationException"/> / <see cref="ObjectDisposedException"/> when the server is not
/// started or is disposed.</item>
/// <item><see cref="MqttSessionStatus.TryEnqueueApplicationMessage"/> and
/// <see cref="MqttSessionStatus.DeliverApplicationMessageAsync"/> put a PUBLISH built from the message as it is
/// (its QoS, its retain flag) straight into the session's data queue. They do NOT look at the session's
/// subscriptions: a session that never subscribed gets the message all the same, and a QoS 1 message goes out
/// QoS 1 even on a QoS 0 subscription. Neither runs the publish or enqueue interceptors.</item>
/// <item>Neither waits for the PUBACK. <c>TryEnqueue…</c> returns at once (false only when the queue is at
/// <c>MaxPendingMessagesPerClient</c> under <c>DropNewMessage</c>; under the default <c>DropOldestQueuedMessage</c>
/// it returns true and drops the oldest queued PUBLISH instead). <c>Deliver…</c> awaits the moment the send loop
/// has written the packet to the connection — with no timeout and no cancellation: for a session without a
/// connection, or a packet the loop dequeues while it is stopping, that task never completes.</item>
/// <item>A QoS 1 PUBLISH stays in the session's unacknowledged list until the PUBACK
/// (<see cref="MqttServer.ClientAcknowledgedPublishPacketAsync"/> reports it); a takeover that resumes the session
/// (clean start false) sends it again.</item>
/// <item>A session exists from the accepted CONNECT. This broker runs with <c>EnablePersistentSessions</c> false
/// (MQTTnet's default): the session is deleted when its connection ends, before
/// <see cref="MqttServer.ClientDisconnectedAsync"/>, whatever clean-session flag the device sent, so nothing is
/// ever queued for a disconnected device. (With persistent sessions, a disconnected session would take the
/// message and send it after a resuming reconnect.)</item>
/// <item>A takeover (second CONNECT with the same client id) raises the old connection's disconnect
/// (<see cref="MqttClientDisconnectType.Takeover"/>) before the new connection's CONNACK and
/// <see cref="MqttServer.ClientConnectedAsync"/>; the new connection keeps the old session, subscriptions
/// included, when it asked for clean start false, and gets a new empty one otherwise. The old connection's
/// own packet loop may still be finishing a SUBSCRIBE at that time.</item>
/// <item><see cref="MqttServer.ClientSubscribedTopicAsync"/> runs on the connection's receive loop after the
/// subscription is in place and before the SUBACK is queued, holding no server lock.
/// <see cref="MqttServer.ClientUnsubscribedTopicAsync"/> runs for every filter of an UNSUBSCRIBE.</item>
/// </list>
/// <para>
/// So this class checks the subscription itself: it follows each device's commands subscription from those
/// events, keyed by the session (its <c>SessionItems</c> object, one per MQTTnet session), and queues a command
/// only when the device's current session is the one it saw subscribe. A command is sent at QoS 1, or at
/// QoS 0 if that is what the device subscribed with (as a routed publish would), never retained. Nothing is
/// ever queued for a device that is offline or not subscribed, so a later SUBSCRIBE receives nothing old.
/// </para>
/// </remarks>
public sealed class CommandChannel(MqttServer server, BrokerStats stats, ILogger<CommandChannel> logger)
{
    private readonly ConcurrentDictionary<string, CommandsSubscription> _devices = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// Raised, on the thread pool and outside every lock, when a device's connection has a subscription to its
    /// own commands topic: its SUBSCRIBE was accepted (each time), or a takeover resumed a session that had one.
    /// MQTT lets the broker send before the SUBACK, so a command sent from here may reach the device first.
    /// A handler that throws is logged and does not stop the others.
    /// </summary>
    public event Action<string>? CommandsSubscribed;

    /// <summary>True while the device is connected and its session is subscribed to its commands topic.</summary>
    public bool IsSubscribed(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        return _devices.TryGetValue(deviceId, out var s) && s.Connected && s.Subscribed;
    }

    /// <summary>
    /// Queues <paramref name="payload"/> (copied) as a PUBLISH on <c>v1/devices/{id}/commands</c> to that device's
    /// session only: QoS 1 (QoS 0 if it subscribed so), not retained. Costs one session lookup, whatever the
    /// fleet size. Never throws for an unknown, closing or replaced session.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="deviceId"/> is not a device id.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before anything was queued.</exception>
    public async ValueTask<DeliveryResult> SendAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var topic = Topics.Commands(deviceId);
        cancellationToken.ThrowIfCancellationRequested();
        var result = await TrySendAsync(deviceId, topic, payload).ConfigureAwait(false);
        stats.CommandSendResult(result);
        if (result != DeliveryResult.Sent)
        {
            Log.CommandNotSent(logger, deviceId, result);
        }

        return result;
    }

    public Task OnConnectedAsync(ClientConnectedEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        bool resumedSubscribed;
        lock (_gate)
        {
            if (_devices.TryGetValue(e.ClientId, out var previous) && ReferenceEquals(previous.Session, e.SessionItems))
            {
                // A takeover that resumed the session (clean start false): its subscriptions came with it.
                _devices[e.ClientId] = previous with { Connected = true };
                resumedSubscribed = previous.Subscribed;
            }
            else
            {
                _devices[e.ClientId] = new CommandsSubscription(e.SessionItems, Connected: true, Subscribed: false, MqttQualityOfServiceLevel.AtMostOnce);
                resumedSubscribed = false;
            }
        }

        if (resumedSubscribed)
        {
            RaiseCommandsSubscribed(e.ClientId);
        }

        return Task.CompletedTask;
    }

    public Task OnSubscribedAsync(ClientSubscribedTopicEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!IsOwnCommandsTopic(e.ClientId, e.TopicFilter.Topic))
        {
            return Task.CompletedTask;
        }

        bool connected;
        lock (_gate)
        {
            if (_devices.TryGetValue(e.ClientId, out var current))
            {
                if (!ReferenceEquals(current.Session, e.SessionItems))
                {
                    return Task.CompletedTask; // a late SUBSCRIBE of a connection that was taken over by a new session
                }

                current = current with { Subscribed = true, Qos = e.TopicFilter.QualityOfServiceLevel };
            }
            else
            {
                // Its connect was not seen (its own event comes first): the SUBSCRIBE comes from a live connection.
                current = new CommandsSubscription(e.SessionItems, Connected: true, Subscribed: true, e.TopicFilter.QualityOfServiceLevel);
            }

            _devices[e.ClientId] = current;
            connected = current.Connected;
        }

        Log.CommandsSubscribed(logger, e.ClientId, (int)e.TopicFilter.QualityOfServiceLevel);
        if (connected)
        {
            RaiseCommandsSubscribed(e.ClientId);
        }

        return Task.CompletedTask;
    }

    public Task OnUnsubscribedAsync(ClientUnsubscribedTopicEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (IsOwnCommandsTopic(e.ClientId, e.TopicFilter))
        {
            lock (_gate)
            {
                if (_devices.TryGetValue(e.ClientId, out var current) && ReferenceEquals(current.Session, e.SessionItems))
                {
                    _devices[e.ClientId] = current with { Subscribed = false };
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task OnDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            if (_devices.TryGetValue(e.ClientId, out var current) && ReferenceEquals(current.Session, e.SessionItems))
            {
                if (e.DisconnectType == MqttClientDisconnectType.Takeover)
                {
                    // The new connection's connect event (next) tells whether it resumed this session.
                    _devices[e.ClientId] = current with { Connected = false };
                }
                else
                {
                    // Persistent sessions are off: the session is already deleted.
                    _devices.TryRemove(e.ClientId, out _);
                }
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsOwnCommandsTopic(string clientId, string? filter) =>
        filter is not null && Topics.IsDeviceTopic(filter, clientId, out var kind) && kind == TopicKind.Commands;

    private async ValueTask<DeliveryResult> TrySendAsync(string deviceId, string topic, ReadOnlyMemory<byte> payload)
    {
        if (!_devices.TryGetValue(deviceId, out var subscription) || !subscription.Connected)
        {
            return DeliveryResult.Offline;
        }

        if (!subscription.Subscribed)
        {
            return DeliveryResult.NotSubscribed;
        }

        MqttSessionStatus session;
        try
        {
            session = await server.GetSessionAsync(deviceId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return DeliveryResult.Offline; // no session (it just ended), or the server is stopping
        }

        if (!ReferenceEquals(session.Items, subscription.Session))
        {
            // A new connection took the id over with a new session that has not subscribed yet.
            return DeliveryResult.NotSubscribed;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(subscription.Qos >= MqttQualityOfServiceLevel.AtLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(false)
            .Build();
        try
        {
            if (!session.TryEnqueueApplicationMessage(message, out var enqueued))
            {
                return DeliveryResult.QueueFull;
            }

            Log.CommandSent(logger, deviceId, payload.Length, enqueued.PacketIdentifier);
            return DeliveryResult.Sent;
        }
        catch (ObjectDisposedException)
        {
            return DeliveryResult.Offline; // the session was deleted while we queued
        }
    }

    private void RaiseCommandsSubscribed(string deviceId)
    {
        if (CommandsSubscribed is null)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Channel.InvokeCommandsSubscribed(state.DeviceId), (Channel: this, DeviceId: deviceId), preferLocal: false);
    }

    private void InvokeCommandsSubscribed(string deviceId)
    {
        foreach (var handler in CommandsSubscribed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<string>)handler)(deviceId);
            }
#pragma warning disable CA1031 // A subscriber's failure must not reach the thread pool (it would end the process).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.CommandsSubscribedHandlerFailed(logger, ex, deviceId);
            }
        }
    }

    /// <summary>What is known of one device's commands subscription, for the session <paramref name="Session"/> (MQTTnet's SessionItems).</summary>
    private sealed record CommandsSubscription(IDictionary Session, bool Connected, bool Subscribed, MqttQualityOfServiceLevel Qos);
}

namespace IoTPlatform.Broker;

/// <summary>What <see cref="CommandChannel.SendAsync"/> did with a command.</summary>
public enum DeliveryResult
{
    /// <summary>
    /// Handed to the outgoing queue of the device's live session, which holds a subscription to its commands
    /// topic. Not a delivery: the connection may still drop before the PUBLISH is written or acknowledged.
    /// </summary>
    Sent,

    /// <summary>The device has no connected session: nothing was queued.</summary>
    Offline,

    /// <summary>The device is connected but its session has no subscription to its commands topic: nothing was queued.</summary>
    NotSubscribed,

    /// <summary>
    /// The session's outgoing queue is full and MQTTnet refused the message
    /// (<c>MqttPendingMessagesOverflowStrategy.DropNewMessage</c> only): nothing was queued.
    /// </summary>
    QueueFull,
}

namespace IoTPlatform.Broker.Presence;

/// <summary>Keeps presence transitions and last-seen times durably (the backend's state store implements it).</summary>
public interface IPresenceStore
{
    /// <summary>Queues a transition; must not block the broker on I/O.</summary>
    void Record(PresenceTransition transition);
}

using System.Threading.Channels;
using MQTTnet;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>
/// The agent's one MQTT client and whether it is connected now, shared by the connection loop
/// (<see cref="MqttConnectionService"/>, which alone connects and disconnects), the outbox sender and the command
/// loop. Commands received are queued here in arrival order so that the client's receive loop never waits for an
/// actuation.
/// </summary>
public sealed class MqttLink : IDisposable
{
    private readonly Channel<byte[]> _commands = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connections;

    /// <summary>A link over a new MQTTnet client.</summary>
    public MqttLink()
        : this(new MqttClientFactory().CreateMqttClient())
    {
    }

    /// <summary>A link over <paramref name="client"/> (owned).</summary>
    public MqttLink(IMqttClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
    }

    /// <summary>The client.</summary>
    public IMqttClient Client { get; }

    /// <summary>True between a successful connect (status published, commands subscribed) and the next disconnect.</summary>
    public bool IsConnected => Volatile.Read(ref _connected).Task.IsCompleted && Client.IsConnected;

    /// <summary>Successful connections so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Command payloads as received, oldest first.</summary>
    public ChannelReader<byte[]> Commands => _commands.Reader;

    /// <summary>Waits until the link is connected.</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) => Volatile.Read(ref _connected).Task.WaitAsync(cancellationToken);

    /// <summary>The connection is up and ready for publishing.</summary>
    internal void MarkConnected()
    {
        Interlocked.Increment(ref _connections);
        Volatile.Read(ref _connected).TrySetResult();
    }

    /// <summary>The connection is down: waiters wait for the next one.</summary>
    internal void MarkDisconnected()
    {
        if (Volatile.Read(ref _connected).Task.IsCompleted)
            Interlocked.Exchange(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Queues a received command payload.</summary>
    internal void Received(byte[] payload) => _commands.Writer.TryWrite(payload);

    /// <summary>Disposes the client.</summary>
    public void Dispose()
    {
        _commands.Writer.TryComplete();
        Client.Dispose();
    }
}

using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>A device as an MQTTnet 5 client (TCP or WebSocket) of a <see cref="TestGateway"/>, with a signal for its disconnect.</summary>
public sealed class DeviceClient : IAsyncDisposable
{
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DeviceClient(IMqttClient client)
    {
        Mqtt = client;
        client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Mqtt { get; }

    public MqttClientConnectResult Result { get; private set; } = null!;

    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    public static async Task<DeviceClient> ConnectAsync(
        TestGateway gateway,
        string clientId,
        string? secret,
        MqttProtocolVersion version = MqttProtocolVersion.V500,
        string? userName = null,
        TimeSpan? keepAlive = null,
        bool webSocket = false)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .WithKeepAlivePeriod(keepAlive ?? TimeSpan.FromSeconds(30))
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(10));
        builder = webSocket
            ? builder.WithWebSocketServer(o => o.WithUri($"ws://{gateway.BaseAddress.Authority}/mqtt"))
            : builder.WithTcpServer(gateway.MqttEndPoint.Address.ToString(), gateway.MqttEndPoint.Port);
        if (secret is not null)
        {
            builder = builder.WithCredentials(userName ?? clientId, secret);
        }

        var client = new DeviceClient(new MqttClientFactory().CreateMqttClient());
        client.Result = await client.Mqtt.ConnectAsync(builder.Build());
        return client;
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, bool retain = false) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(payload), retain);

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, bool retain = false) =>
        Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build());

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        var result = await Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return result.Items.Single().ResultCode;
    }

    /// <summary>
    /// Publishes where the broker must answer by closing the connection (no refusal code exists, or the
    /// packet is refused before it is read): fails if the publish is acknowledged, returns the disconnect.
    /// </summary>
    public async Task<MqttClientDisconnectedEventArgs> PublishClosingConnectionAsync(string topic, byte[] payload)
    {
        try
        {
            await PublishAsync(topic, payload).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Fail($"the publish to {topic} must not be acknowledged");
        }
#pragma warning disable CA1031 // The client reports the closed connection in its own way; the disconnect is what counts.
        catch (Exception e) when (e is not AssertionException)
#pragma warning restore CA1031
        {
        }

        return await WaitDisconnectedAsync();
    }

    /// <summary>Waits for the broker to end the connection.</summary>
    public async Task<MqttClientDisconnectedEventArgs> WaitDisconnectedAsync(TimeSpan? timeout = null) =>
        await Disconnected.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        if (Mqtt.IsConnected)
        {
            await Mqtt.DisconnectAsync();
        }

        Mqtt.Dispose();
    }
}

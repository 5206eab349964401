using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTPlatform.Gateway.Bench;

/// <summary>A device as an MQTTnet 5 client (MQTT 5, clean start, keepalive 60 s).</summary>
internal sealed class MqttNetPublisher : IDevicePublisher
{
    private readonly IMqttClient _client;
    private readonly string _topic;

    private MqttNetPublisher(IMqttClient client, string topic, int receiveMaximum)
    {
        _client = client;
        _topic = topic;
        ReceiveMaximum = receiveMaximum;
    }

    public int ReceiveMaximum { get; }

    public static async Task<IDevicePublisher> ConnectAsync(MqttClientFactory factory, IPEndPoint broker, string id, string secret, string topic, CancellationToken cancellationToken)
    {
        var (client, connected) = await ConnectClientAsync(factory, broker, id, secret, cancellationToken);
        return new MqttNetPublisher(client, topic, connected.ReceiveMaximum is ushort max and > 0 ? max : 65_535);
    }

    /// <summary>A bench device's connection (also the <see cref="AckingController"/>'s): throws when the CONNECT is refused.</summary>
    public static async Task<(IMqttClient Client, MqttClientConnectResult Connected)> ConnectClientAsync(
        MqttClientFactory factory, IPEndPoint broker, string id, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(broker);
        var client = factory.CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Address.ToString(), broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(id)
            .WithCredentials(id, secret)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithCleanStart()
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
        var result = await client.ConnectAsync(options, cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"{id}: CONNECT refused with {result.ResultCode}.");
        }

        return (client, result);
    }

    public async Task<bool> PublishAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken);
        return result.IsSuccess;
    }

    public Task DisconnectAsync(CancellationToken cancellationToken) =>
        _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

namespace IoTPlatform.Gateway.Bench;

/// <summary>One device's MQTT 5 connection for the ingest benchmark: QoS 1 publishes, several may be in flight.</summary>
internal interface IDevicePublisher : IAsyncDisposable
{
    /// <summary>The server's Receive Maximum from the CONNACK (65,535 when it sent none): QoS 1 publishes it takes unacknowledged.</summary>
    int ReceiveMaximum { get; }

    /// <summary>Publishes QoS 1 to the device's telemetry topic; true when the PUBACK says success.</summary>
    Task<bool> PublishAsync(byte[] payload, CancellationToken cancellationToken);

    /// <summary>Sends a clean DISCONNECT.</summary>
    Task DisconnectAsync(CancellationToken cancellationToken);
}

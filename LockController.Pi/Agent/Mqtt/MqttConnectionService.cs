using System.Buffers;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>
/// Keeps the controller connected to the broker: MQTT 5, client id = user name = device id, password = secret,
/// keepalive, clean start, and a last will of a retained <c>{"online":false}</c> on its status topic. Connects through
/// <see cref="ReconnectPipeline"/> (for ever, until shutdown); once connected publishes the retained online status and
/// subscribes QoS 1 to its commands topic, then marks the <see cref="MqttLink"/> connected for the sender and waits for
/// the connection to drop. At shutdown it publishes a retained offline status and disconnects cleanly (a clean
/// DISCONNECT discards the will).
/// </summary>
public sealed class MqttConnectionService : BackgroundService
{
    private static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(3);
    private readonly MqttLink _link;
    private readonly IDeviceStatusSource _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MqttClientOptions _clientOptions;
    private readonly ResiliencePipeline<MqttClientConnectResult> _reconnect;
    private readonly string _deviceId;
    private readonly string _commandsTopic;
    private readonly string _statusTopic;
    private readonly string _broker;
    private TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _attempts;

    /// <summary>The connection of <paramref name="device"/> to the broker of <paramref name="backend"/>.</summary>
    public MqttConnectionService(
        MqttLink link, IDeviceStatusSource status, IOptions<DeviceOptions> device, IOptions<BackendOptions> backend, IOptions<MqttOptions> options, TimeProvider time,
        ILogger<MqttConnectionService> logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _link = link;
        _status = status;
        _time = time;
        _logger = logger;
        _deviceId = device.Value.Id;
        _commandsTopic = Topics.Commands(_deviceId);
        _statusTopic = Topics.Status(_deviceId);
        if (!backend.Value.TryGetBroker(out string host, out int port))
            throw new OptionsValidationException(BackendOptions.SectionName, typeof(BackendOptions), [$"{BackendOptions.SectionName}:Mqtt = '{backend.Value.Mqtt}' is not host:port."]);
        _broker = $"{host}:{port}";
        _clientOptions = BuildClientOptions(device.Value, host, port, options.Value);
        _reconnect = ReconnectPipeline.Build(options.Value, time, OnRetryAsync);
        _link.Client.DisconnectedAsync += OnDisconnectedAsync;
        _link.Client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    /// <summary>The client options: MQTT 5, credentials, keepalive, clean start, the retained offline will.</summary>
    public static MqttClientOptions BuildClientOptions(DeviceOptions device, string host, int port, MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        return new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(device.Id)
            .WithCredentials(device.Id, device.Secret)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds))
            .WithCleanStart(true)
            .WithWillTopic(Topics.Status(device.Id))
            .WithWillPayload(PayloadCodec.Encode(DeviceStatus.Offline))
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _reconnect.ExecuteAsync(ConnectOnceAsync, stoppingToken).ConfigureAwait(false);
                Task<MqttClientDisconnectedEventArgs> dropped = Volatile.Read(ref _disconnected).Task;
                try
                {
                    await AnnounceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or TimeoutException
                    || e is OperationCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    Log.MqttAnnounceFailed(_logger, e);
                    await DisconnectQuietlyAsync().ConfigureAwait(false);
                    continue;
                }
                _link.MarkConnected();
                Log.MqttConnected(_logger, _broker, _deviceId);
                MqttClientDisconnectedEventArgs gone = await dropped.WaitAsync(stoppingToken).ConfigureAwait(false);
                _link.MarkDisconnected();
                Log.MqttDisconnected(_logger, gone.Reason.ToString(), gone.Exception?.Message ?? gone.ReasonString ?? "");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        _link.MarkDisconnected();
        await GoOfflineAsync().ConfigureAwait(false);
    }

    private async ValueTask<MqttClientConnectResult> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        Interlocked.Exchange(ref _disconnected, new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_link.Client.IsConnected)
            await DisconnectQuietlyAsync().ConfigureAwait(false);
        return await _link.Client.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes the retained online status and subscribes to the commands topic.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        DeviceStatus status = _status.Online();
        MqttClientPublishResult published = await _link.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_statusTopic)
            .WithPayload(PayloadCodec.Encode(status))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build(), cancellationToken).ConfigureAwait(false);
        if (!published.IsSuccess)
            Log.MqttStatusRefused(_logger, published.ReasonCode.ToString(), published.ReasonString ?? "");
        MqttClientSubscribeResult subscribed = await _link.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_commandsTopic, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), cancellationToken).ConfigureAwait(false);
        foreach (MqttClientSubscribeResultItem item in subscribed.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS2))
                Log.MqttSubscribeRefused(_logger, _commandsTopic, item.ResultCode.ToString());
        }
    }

    private ValueTask OnRetryAsync(OnRetryArguments<MqttClientConnectResult> args)
    {
        if (args.Outcome.Result is { } result && ReconnectPipeline.IsRefusedIdentity(result.ResultCode))
            Log.MqttIdentityRefused(_logger, _broker, _deviceId, result.ResultCode.ToString(), args.RetryDelay);
        else
            Log.MqttConnectFailed(_logger, _broker, args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? args.Outcome.Result?.ResultCode.ToString() ?? "", args.RetryDelay);
        return ValueTask.CompletedTask;
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        // Raised for failed connect attempts too; only a connection that was up ends the wait.
        if (e.ClientWasConnected)
            Volatile.Read(ref _disconnected).TrySetResult(e);
        return Task.CompletedTask;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Copied and queued: the command loop executes it; this handler returns at once so that the PUBACK and
        // the client's receive loop (our own PUBACKs) never wait for an actuation.
        if (string.Equals(e.ApplicationMessage.Topic, _commandsTopic, StringComparison.Ordinal))
            _link.Received(e.ApplicationMessage.Payload.ToArray());
        else
            Log.MqttUnexpectedMessage(_logger, e.ApplicationMessage.Topic);
        return Task.CompletedTask;
    }

    private async Task GoOfflineAsync()
    {
        if (!_link.Client.IsConnected)
            return;
        using var budget = new CancellationTokenSource(ShutdownBudget, _time);
        try
        {
            await _link.Client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(_statusTopic)
                .WithPayload(PayloadCodec.Encode(DeviceStatus.Offline))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(true)
                .Build(), budget.Token).ConfigureAwait(false);
            await _link.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), budget.Token).ConfigureAwait(false);
            Log.MqttOffline(_logger);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or OperationCanceledException or TimeoutException)
        {
            Log.MqttOfflineFailed(_logger, e.Message);
        }
    }

    private async Task DisconnectQuietlyAsync()
    {
        try
        {
            using var budget = new CancellationTokenSource(ShutdownBudget, _time);
            await _link.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), budget.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or OperationCanceledException or TimeoutException)
        {
            // Already gone.
        }
    }

    public override void Dispose()
    {
        _link.Client.DisconnectedAsync -= OnDisconnectedAsync;
        _link.Client.ApplicationMessageReceivedAsync -= OnMessageAsync;
        base.Dispose();
    }
}

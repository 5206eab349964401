using System.Net;
using IoTPlatform.Broker.Policy;
using IoTPlatform.Broker.Presence;
using IoTPlatform.Broker.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.AspNetCore;
using MQTTnet.Server;

namespace IoTPlatform.Broker;

/// <summary>
/// The embedded MQTT broker inside the backend's Kestrel: MQTTnet 5 behind the policy of this folder,
/// on TCP (<see cref="BrokerOptions.TcpPort"/>) and WebSocket (<see cref="BrokerOptions.WebSocketPath"/>).
/// </summary>
public static class BrokerHosting
{
    public static IServiceCollection AddDeviceBroker(this IServiceCollection services)
    {
        services.AddOptions<BrokerOptions>()
            .BindConfiguration(BrokerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BrokerEndpoint>();
        services.AddSingleton<BrokerStats>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<PublishRateLimiter>();
        services.AddSingleton<ConnectionValidator>();
        services.AddSingleton<PublishInterceptor>();
        services.AddSingleton<SubscriptionAcl>();
        services.AddSingleton<DeviceSessions>();
        services.AddSingleton<CommandChannel>();
        services.AddSingleton<GuardedMqttConnectionHandler>();
        services.AddMqttConnectionHandler();
        services.AddHostedMqttServerWithServices(mqtt =>
        {
            var options = mqtt.ServiceProvider.GetRequiredService<IOptions<BrokerOptions>>().Value;
            mqtt.WithDefaultCommunicationTimeout(options.ConnectTimeout);
        });
        services.AddConnections();
        return services;
    }

    /// <summary>Adds the MQTT TCP listener to Kestrel.</summary>
    public static void ListenMqtt(this KestrelServerOptions kestrel, BrokerOptions options, BrokerEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!IPAddress.TryParse(options.TcpAddress, out var address))
        {
            throw new OptionsValidationException(BrokerOptions.Section, typeof(BrokerOptions), [$"Broker:TcpAddress '{options.TcpAddress}' is not an IP address."]);
        }

        kestrel.Listen(address, options.TcpPort, listen =>
        {
            listen.UseConnectionHandler<GuardedMqttConnectionHandler>();
            endpoint.Listener = listen;
        });
    }

    /// <summary>Hooks the policy into the MQTT server and maps the WebSocket endpoint.</summary>
    public static WebApplication MapDeviceBroker(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.Services;
        var server = services.GetRequiredService<MqttServer>();
        var presence = services.GetRequiredService<PresenceTracker>();
        var limiter = services.GetRequiredService<PublishRateLimiter>();
        var endpoint = services.GetRequiredService<BrokerEndpoint>();
        var options = services.GetRequiredService<IOptions<BrokerOptions>>().Value;

        server.ValidatingConnectionAsync += services.GetRequiredService<ConnectionValidator>().ValidateAsync;
        server.InterceptingPublishAsync += services.GetRequiredService<PublishInterceptor>().InterceptAsync;
        var subscriptions = services.GetRequiredService<SubscriptionAcl>();
        server.InterceptingSubscriptionAsync += subscriptions.InterceptAsync;
        server.InterceptingInboundPacketAsync += subscriptions.InspectInboundAsync;
        server.InterceptingInboundPacketAsync += presence.OnInboundPacketAsync;
        server.ClientConnectedAsync += presence.OnConnectedAsync;
        server.ClientDisconnectedAsync += async e =>
        {
            await presence.OnDisconnectedAsync(e).ConfigureAwait(false);
            if (!presence.IsOnline(e.ClientId))
            {
                limiter.Forget(e.ClientId);
            }
        };
        var commands = services.GetRequiredService<CommandChannel>();
        server.ClientConnectedAsync += commands.OnConnectedAsync;
        server.ClientSubscribedTopicAsync += commands.OnSubscribedAsync;
        server.ClientUnsubscribedTopicAsync += commands.OnUnsubscribedAsync;
        server.ClientDisconnectedAsync += commands.OnDisconnectedAsync;
        server.StartedAsync += _ =>
        {
            endpoint.IsReady = true;
            Log.BrokerReady(services.GetRequiredService<ILogger<MqttServer>>(), endpoint.TcpEndPoint?.ToString() ?? "(none)", options.WebSocketPath);
            return Task.CompletedTask;
        };
        server.StoppedAsync += _ =>
        {
            endpoint.IsReady = false;
            return Task.CompletedTask;
        };
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            // Kestrel stops before the MQTT hosted service and would wait out the whole shutdown timeout
            // for the open device connections: close them first.
            presence.Stopping();
            server.StopAsync(new MqttServerStopOptions()).Wait(options.ConnectTimeout);
            presence.WaitUntilAllOfflineAsync(options.ConnectTimeout).Wait();
        });

        ((IEndpointRouteBuilder)app).MapConnectionHandler<GuardedMqttConnectionHandler>(options.WebSocketPath, dispatcher =>
        {
            dispatcher.Transports = HttpTransportType.WebSockets;
            dispatcher.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol;
        });
        return app;
    }
}

using System.Text.Json.Serialization;
using IoTPlatform.Broker;
using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Auth;
using IoTPlatform.DeviceGateway.Commands;
using IoTPlatform.DeviceGateway.Commands.Signing;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Fleet;
using IoTPlatform.DeviceGateway.Health;
using IoTPlatform.DeviceGateway.History;
using IoTPlatform.DeviceGateway.Http;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Observability;
using IoTPlatform.DeviceGateway.Presence;
using IoTPlatform.DeviceGateway.Storage;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway;

/// <summary>
/// The backend's table of contents: what it is made of and which APIs it serves. <c>Program.cs</c>
/// runs it; tests build the very same app on a free loopback port.
/// </summary>
public static class GatewayApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddListeners();
        builder.AddStateStore();
        builder.AddApiKeyAuth();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GatewayCounters>();
        builder.Services.AddSingleton<DeviceRegistry>();
        builder.Services.AddSingleton<IDeviceAuthenticator>(services => services.GetRequiredService<DeviceRegistry>());
        builder.Services.AddSingleton<DeviceViews>();

        // Presence and the ingest are registered before the broker so that they stop after it: the shutdown is
        // recorded and every publish the broker took is committed.
        builder.Services.AddSingleton<PresenceStore>();
        builder.Services.AddSingleton<IPresenceStore>(services => services.GetRequiredService<PresenceStore>());
        builder.Services.AddHostedService<PresenceWriter>();
        builder.Services.AddSingleton<IDeviceMessageHandler, StatusHandler>();
        builder.Services.AddTelemetryIngest();
        builder.Services.AddDeviceBroker();
        builder.Services.AddCommandService();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks()
            .AddCheck<StateStoreHealthCheck>("state-store")
            .AddCheck<BrokerHealthCheck>("broker")
            .AddCheck<HistoryStoreHealthCheck>("history-store");
        // Data protection is unused (API keys carry no cookies or tokens); the base handler's per-request
        // "challenged" lines repeat what Log.ApiKeyRejected says with more detail.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Logging.AddFilter(typeof(ApiKeyAuthenticationHandler).FullName, LogLevel.Warning);
        configure?.Invoke(builder);

        var app = builder.Build();

        // Open the state store and settle the admin key now, so a bad data dir fails the start
        // and the log says where the key is before the first request.
        _ = app.Services.GetRequiredService<StateStore>();
        _ = app.Services.GetRequiredService<ApiKeyRing>();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealth();
        app.MapOpenApi();
        app.MapDevicesApi();
        app.MapPresenceApi();
        app.MapBrokerApi();
        app.MapIngestApi();
        app.MapFleetApi();
        app.MapHistoryApi();
        app.MapCommandKeysApi();
        app.MapCommandsApi();
        app.MapDeviceBroker();
        return app;
    }

    private static WebApplicationBuilder AddListeners(this WebApplicationBuilder builder)
    {
        // Kestrel ignores --urls once a listener is set in code (the MQTT one is), so bind both here.
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUrls(string.IsNullOrWhiteSpace(urls) ? DefaultUrl : urls);
            var services = kestrel.ApplicationServices;
            kestrel.ListenMqtt(services.GetRequiredService<IOptions<BrokerOptions>>().Value, services.GetRequiredService<BrokerEndpoint>());
        });
        return builder;
    }

    private static WebApplicationBuilder AddStateStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddSingleton(services =>
        {
            var dataDir = services.GetRequiredService<IOptions<StorageOptions>>().Value.FullDataDir;
            var store = new StateStore(dataDir);
            Log.StateStoreOpened(services.GetRequiredService<ILogger<StateStore>>(), store.Path);
            return store;
        });
        builder.Services.AddSingleton<GroupedWrites>();
        builder.Services.AddSingleton(services =>
        {
            var dataDir = services.GetRequiredService<IOptions<StorageOptions>>().Value.FullDataDir;
            var pepper = DataDirectory.ReadOrCreateSecret(Path.Combine(DataDirectory.Ensure(dataDir), "pepper.key"), DataDirectory.NewRandomToken);
            return new SecretHasher(System.Buffers.Text.Base64Url.DecodeFromChars(pepper));
        });
        return builder;
    }
}

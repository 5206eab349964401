using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net;
using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Storage;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>
/// The real backend (the same <see cref="GatewayApp"/> as Program.cs) on Kestrel, on a free loopback
/// port, over a temporary data dir. <see cref="RestartAsync"/> stops it and starts it again on the
/// same data dir.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const string OpsKey = "test-ops-key-0123456789";
    public const string MaintenanceKey = "test-maintenance-key-0123456789";
    public const string ReadOnlyKey = "test-readonly-key-0123456789";

    private readonly Dictionary<string, string?> _settings;
    private WebApplication _app;

    private TestGateway(string dataDir, Dictionary<string, string?> settings, WebApplication app, CapturedLogs logs)
    {
        DataDir = dataDir;
        _settings = settings;
        _app = app;
        Logs = logs;
    }

    public string DataDir { get; }

    public CapturedLogs Logs { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway with the four test keys; <paramref name="settings"/> add or override (null removes).</summary>
    public static async Task<TestGateway> StartAsync(IDictionary<string, string?>? settings = null, string? dataDir = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("iotplatform-gw-").FullName;
        var all = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Broker:TcpPort"] = "0",
            ["Storage:DataDir"] = dataDir,
            ["Api:AdminKey"] = AdminKey,
            ["Api:Keys:ops-team:Key"] = OpsKey,
            ["Api:Keys:ops-team:Role"] = "ops",
            ["Api:Keys:crew-7:Key"] = MaintenanceKey,
            ["Api:Keys:crew-7:Role"] = "maintenance",
            ["Api:Keys:dashboard:Key"] = ReadOnlyKey,
            ["Api:Keys:dashboard:Role"] = "readonly",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var logs = new CapturedLogs();
        var app = await LaunchAsync(all, logs);
        var gateway = new TestGateway(dataDir, all, app, logs);
        await gateway.AttachAsync();
        return gateway;
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>Registers a device through the API and returns its secret.</summary>
    public async Task<string> RegisterAsync(string id, string kind = "bike", int? slots = null, string apiKey = AdminKey)
    {
        using var client = Client(apiKey);
        using var response = await client.PostAsJsonAsync("/api/devices", new { id, kind, slots });
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("secret").GetString()!;
    }

    /// <summary>Stops the host (closing every database connection) and starts it again on the same data dir.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        Logs = new CapturedLogs();
        _app = await LaunchAsync(_settings, Logs);
        await AttachAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        StateStore.ReleasePooledConnections();
    }

    private static async Task<WebApplication> LaunchAsync(IReadOnlyDictionary<string, string?> settings, CapturedLogs logs)
    {
        var args = settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}").ToArray();
        var app = GatewayApp.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>The MQTT TCP endpoint of the embedded broker.</summary>
    public IPEndPoint MqttEndPoint => Services.GetRequiredService<BrokerEndpoint>().TcpEndPoint!;

    /// <summary>Finds the HTTP address (the one that is not the MQTT listener) and waits until /health says ready.</summary>
    private async Task AttachAsync()
    {
        var mqttPort = MqttEndPoint.Port;
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .First(a => a.Port != mqttPort);
        BaseAddress = address;
        using var client = Client(apiKey: null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var health = await client.GetAsync("/health");
            if (health.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The gateway did not become healthy: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(20);
        }
    }
}

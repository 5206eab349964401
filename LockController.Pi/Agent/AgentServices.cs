using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Agent.Mqtt;
using IoTPlatform.LockController.Pi.Agent.Outbox;
using IoTPlatform.LockController.Pi.Agent.Telemetry;
using IoTPlatform.LockController.Pi.Gnss;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>
/// The controller's services: options (bound and validated at start), the hardware, GNSS and the trusted clock, the
/// outbox and seq counter, the command executor and its stores, and the hosted loops — lifetime, GNSS, telemetry,
/// MQTT connection, outbox sender, commands (started in this order, stopped in reverse).
/// </summary>
public static class AgentServices
{
    /// <summary>File and folder names in <see cref="AgentOptions.DataDir"/>.</summary>
    public const string OutboxFolder = "outbox", SeqFile = "seq", ExecutedCommandsFile = "executed-commands", KeyCacheFile = "command-signing-keys.json";

    /// <summary>Adds everything <c>run</c> needs.</summary>
    public static IServiceCollection AddLockControllerAgent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BackendOptions>().BindConfiguration(BackendOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackendOptions>, BackendOptionsValidation>();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GnssOptions>().BindConfiguration(GnssOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClockOptions>().BindConfiguration(ClockOptions.SectionName);
        services.AddOptions<HardwareOptions>().BindConfiguration(HardwareOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HardwareOptions>, HardwareOptionsValidation>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BootMarker(DataDir(sp)));
        services.AddSingleton(sp => new FirmwareInfo(FirmwareInfo.CurrentVersion, sp.GetRequiredService<BootMarker>().Begin()));
        services.AddSingleton(sp => HardwareFactory.Create(
            sp.GetRequiredService<IOptions<HardwareOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new GnssClock(sp.GetRequiredService<TimeProvider>(), new GnssClockOptions(), sp.GetRequiredService<ILogger<GnssClock>>()));
        services.AddSingleton<PositionFeed>();
        services.AddSingleton<ITrustedClock>(sp => new TrustedClock(
            sp.GetRequiredService<GnssClock>(), sp.GetRequiredService<IOptions<ClockOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TrustedClock>>()));

        services.AddSingleton(sp => Outbox.Outbox.Open(
            Path.Combine(DataDir(sp), OutboxFolder), sp.GetRequiredService<IOptions<OutboxOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Outbox.Outbox>>()));
        services.AddSingleton(sp => SeqCounter.Open(
            Path.Combine(DataDir(sp), SeqFile), sp.GetRequiredService<IOptions<OutboxOptions>>().Value.SeqBlockSize, sp.GetRequiredService<ILogger<SeqCounter>>()));
        services.AddSingleton<IRecordWriter>(sp =>
        {
            LockHardware hardware = sp.GetRequiredService<LockHardware>();
            return new OutboxRecordWriter(sp.GetRequiredService<Outbox.Outbox>(), sp.GetRequiredService<SeqCounter>(), sp.GetRequiredService<ITrustedClock>(),
                hardware.Slots.Count, sp.GetRequiredService<ILogger<OutboxRecordWriter>>());
        });
        services.AddSingleton<IDeviceStatusSource, TrustedClockStatus>();

        services.AddSingleton(sp => ExecutedCommandStore.Open(
            Path.Combine(DataDir(sp), ExecutedCommandsFile), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ExecutedCommandStore>>()));
        services.AddSingleton(sp => new HttpClient());
        services.AddSingleton(sp =>
        {
            BackendOptions backend = sp.GetRequiredService<IOptions<BackendOptions>>().Value;
            Uri keySet = CommandKeyCacheOptions.KeySetUriFor(backend.ApiUri!);
            return new CommandKeyCache(sp.GetRequiredService<HttpClient>(),
                new CommandKeyCacheOptions { KeySetUri = keySet, FilePath = Path.Combine(DataDir(sp), KeyCacheFile) },
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CommandKeyCache>>());
        });
        services.AddSingleton(sp => new CommandExecutor(
            sp.GetRequiredService<IOptions<DeviceOptions>>().Value.Id, sp.GetRequiredService<LockHardware>(), sp.GetRequiredService<CommandKeyCache>(),
            sp.GetRequiredService<ExecutedCommandStore>(), sp.GetRequiredService<ITrustedClock>(), sp.GetRequiredService<ILogger<CommandExecutor>>()));
        services.AddSingleton<MqttLink>();

        services.AddHostedService<AgentLifetimeService>();
        services.AddHostedService<GnssService>();
        services.AddHostedService<TelemetryService>();
        services.AddHostedService<MqttConnectionService>();
        services.AddHostedService<OutboxSender>();
        services.AddHostedService<CommandService>();
        return services;
    }

    private static string DataDir(IServiceProvider services)
    {
        string dir = services.GetRequiredService<IOptions<AgentOptions>>().Value.FullDataDir;
        Directory.CreateDirectory(dir);
        return dir;
    }
}

using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Commands.Signing;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>The command service's parts: signing keys, ledger, rules, delivery loop, the ack handler and the link to the broker.</summary>
public static class CommandsHosting
{
    public static IServiceCollection AddCommandService(this IServiceCollection services)
    {
        services.AddOptions<CommandOptions>()
            .BindConfiguration(CommandOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.RetryMaxDelayMilliseconds >= o.RetryBaseDelayMilliseconds, "Commands:RetryMaxDelayMilliseconds must be at least Commands:RetryBaseDelayMilliseconds.")
            .ValidateOnStart();
        services.AddCommandSigning();
        services.AddSingleton<CommandLedger>();
        services.AddSingleton<CommandStats>();
        services.AddSingleton<ICommandLink, BrokerCommandLink>();
        services.AddSingleton<ICommandEffects, DeviceEffects>();
        services.AddSingleton<CommandService>();
        services.AddSingleton<CommandDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CommandDispatcher>());
        services.AddSingleton<IDeviceMessageHandler, AckHandler>();
        return services;
    }
}

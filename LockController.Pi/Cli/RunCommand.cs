using System.CommandLine;
using IoTPlatform.LockController.Pi.Agent;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Pi.Cli;

/// <summary>
/// <c>run [--Key=value ...]</c>: the controller itself, as a Generic Host (a systemd service under systemd, with
/// <c>Type=notify</c>): hardware, GNSS, telemetry, MQTT agent and command executor. Configuration: appsettings.json
/// beside the program, then environment variables (<c>Device__Secret</c>), then the command line
/// (<c>--Device:Id=bike-0001</c>); <c>--Hardware=simulated</c> is short for <c>--Hardware:Mode=simulated</c>.
/// Exit code 0 after a clean stop, 2 for a configuration that cannot run, 1 for a data directory that cannot be used.
/// </summary>
internal static class RunCommand
{
    /// <summary>Command-line shorthands: the issue's <c>--Hardware=simulated</c>.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--Hardware"] = $"{HardwareOptions.SectionName}:Mode",
    };

    public static Command Create()
    {
        var command = new Command("run", "Run the lock controller (settings as --Section:Key=value, e.g. --Hardware=simulated --Gnss:File=capture.log --Device:Id=bike-0001 --Device:Secret=… --Backend:Mqtt=127.0.0.1:1883 --Backend:Api=http://127.0.0.1:8080)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((result, ct) => RunAsync([.. result.UnmatchedTokens], result.InvocationConfiguration.Error, ct));
        return command;
    }

    /// <summary>The host for <paramref name="args"/> (configuration and services; not started).</summary>
    public static IHost BuildHost(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // appsettings.json sits beside the program; systemd starts it in its state directory.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary(StringComparer.Ordinal));
        builder.Services.AddSystemd();
        builder.Services.AddLockControllerAgent();
        return builder.Build();
    }

    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            using IHost host = BuildHost(args);
            // Every section first, before any service is built: a bad setting must not open the hardware or the
            // data directory (nor mark a run begun).
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (ValidationFailures(e) is { Count: > 0 } failures)
        {
            foreach (string failure in failures)
                await error.WriteLineAsync($"run: {failure}").ConfigureAwait(false);
            return 2;
        }
        catch (HardwareConfigurationException e)
        {
            await error.WriteLineAsync($"run: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The data directory: not writable, or its outbox held by another running controller.
            await error.WriteLineAsync($"run: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The messages of an options validation failure (the start-up validator aggregates one per section).</summary>
    private static List<string> ValidationFailures(Exception e) => e switch
    {
        OptionsValidationException v => [.. v.Failures],
        AggregateException a => [.. a.InnerExceptions.OfType<OptionsValidationException>().SelectMany(v => v.Failures)],
        _ => [],
    };
}

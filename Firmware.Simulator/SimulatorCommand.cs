using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// <c>Firmware.Simulator --devices 100 --mix bike=80,umbrella-kiosk=10,charger-kiosk=10 --duration 40 --seed 7
/// --broker 127.0.0.1:1883 --api http://127.0.0.1:8080 --api-key KEY --faults drop-ack=0.05,… --report report.json</c>.
/// Exit 0 after a run, 2 on a setup error (a bad option, a backend that refuses the key or cannot be reached,
/// controllers that never come up), 130 when interrupted.
/// </summary>
internal static class SimulatorCommand
{
    public static RootCommand Create()
    {
        var devices = new Option<int>("--devices") { Description = "Controllers to run", DefaultValueFactory = _ => 100 };
        var mix = new Option<string>("--mix") { Description = "Share of each kind, kind=weight,…", DefaultValueFactory = _ => FleetMix.Default.ToString() };
        var duration = new Option<int>("--duration") { Description = "Seconds the riders ride, once every controller is up", DefaultValueFactory = _ => 40 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 7 };
        var broker = new Option<string>("--broker") { Description = "The backend's MQTT TCP endpoint host:port", DefaultValueFactory = _ => "127.0.0.1:1883" };
        var apiUri = new Option<string>("--api") { Description = "The backend's HTTP API", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var apiKey = new Option<string?>("--api-key") { Description = "An admin API key (registers the devices, sends the commands)" };
        var faults = new Option<string?>("--faults") { Description = $"Fault rates, fault=rate,… with faults {string.Join(", ", FaultPlan.Names)}" };
        var report = new Option<string?>("--report") { Description = "Write the JSON report here" };
        var traces = new Option<string?>("--traces") { Description = "A folder of recorded rides (.gpx, .csv) the bikes follow" };
        var box = new Option<string?>("--box") { Description = "The city box south,west,north,east (default central Beijing)" };
        var command = new RootCommand("Runs a fleet of simulated lock controllers — the real firmware on simulated GPIO and GNSS — against a backend, with riders and faults")
        {
            devices, mix, duration, seed, broker, apiUri, apiKey, faults, report, traces, box,
        };
        command.SetAction(async (result, ct) =>
        {
            TextWriter output = result.InvocationConfiguration.Output, error = result.InvocationConfiguration.Error;
            FleetOptions options;
            try
            {
                options = Options(result.GetValue(devices), result.GetValue(mix), result.GetValue(duration), result.GetValue(seed), result.GetValue(broker),
                    result.GetValue(apiUri), result.GetValue(apiKey), result.GetValue(faults), result.GetValue(traces), result.GetValue(box));
            }
            catch (SetupException e)
            {
                await error.WriteLineAsync($"simulator: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            return await RunAsync(options, result.GetValue(report), output, error, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The options checked; a <see cref="SetupException"/> names the first bad one.</summary>
    public static FleetOptions Options(int devices, string? mix, int duration, int seed, string? broker, string? api, string? apiKey, string? faults, string? traces, string? box)
    {
        if (devices is < 1 or > 10_000)
            throw new SetupException($"--devices must be 1 to 10000; got {devices}");
        if (duration is < 1 or > 86_400)
            throw new SetupException($"--duration must be 1 to 86400 seconds; got {duration}");
        if (!FleetMix.TryParse(mix, out FleetMix fleetMix, out string? error))
            throw new SetupException($"--mix: {error}");
        if (!FaultPlan.TryParse(faults, out FaultPlan plan, out error))
            throw new SetupException($"--faults: {error}");
        if (!CityBox.TryParse(box, out CityBox cityBox, out error))
            throw new SetupException($"--box: {error}");
        if (string.IsNullOrWhiteSpace(broker) || !IPEndPoint.TryParse(broker, out IPEndPoint? endPoint) || endPoint.Port == 0)
            throw new SetupException($"--broker must be an IP address and port, like 127.0.0.1:1883; got '{broker}'");
        if (!Uri.TryCreate(api, UriKind.Absolute, out Uri? apiUri) || apiUri.Scheme is not ("http" or "https"))
            throw new SetupException($"--api must be an http(s) address, like http://127.0.0.1:8080; got '{api}'");
        if (string.IsNullOrWhiteSpace(apiKey))
            throw new SetupException("--api-key is required: an admin key of the backend (its data/admin.key when it generated one)");
        return new FleetOptions
        {
            Devices = devices,
            Mix = fleetMix,
            Duration = TimeSpan.FromSeconds(duration),
            Seed = seed,
            Broker = endPoint,
            Api = apiUri,
            ApiKey = apiKey.Trim(),
            Faults = plan,
            Box = cityBox,
            Traces = traces is null ? [] : Traces.Load(traces),
        };
    }

    public static async Task<int> RunAsync(FleetOptions options, string? reportPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        bool live = !Console.IsErrorRedirected;
        var runner = new FleetRunner(options, loggers.CreateLogger("Firmware.Simulator"))
        {
            Progress = line =>
            {
                if (live)
                    error.Write($"\r{line,-140}");
                else
                    error.WriteLine(line);
            },
        };
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"simulator: {options.Devices} controllers ({options.Mix}), {options.Duration.TotalSeconds:F0} s, seed {options.Seed}, faults {options.Faults}, against {options.Api} and {options.Broker}")).ConfigureAwait(false);
        FleetResult result;
        try
        {
            result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SetupException e)
        {
            await error.WriteLineAsync($"{(live ? Environment.NewLine : "")}simulator: {e.Message}").ConfigureAwait(false);
            await runner.DisposeDevicesAsync().ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await runner.DisposeDevicesAsync().ConfigureAwait(false);
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A data dir that cannot be written, a port that cannot be bound.
            await error.WriteLineAsync($"{(live ? Environment.NewLine : "")}simulator: {e.Message}").ConfigureAwait(false);
            await runner.DisposeDevicesAsync().ConfigureAwait(false);
            return 1;
        }
        await runner.DisposeDevicesAsync().ConfigureAwait(false);
        if (live)
            await error.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(result.Summary()).ConfigureAwait(false);
        foreach (string line in result.FirmwareErrors.Take(10))
            await error.WriteLineAsync($"firmware error: {line}").ConfigureAwait(false);
        if (reportPath is not null)
        {
            await File.WriteAllTextAsync(reportPath, result.ToJson(), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"report: {Path.GetFullPath(reportPath)}").ConfigureAwait(false);
        }
        return 0;
    }
}

using System.Globalization;

namespace IoTPlatform.Gateway.Bench;

/// <summary>Command line of <c>ingest</c>.</summary>
internal sealed record IngestBenchOptions(
    int Devices, int InFlight, TimeSpan Warmup, TimeSpan Duration, string Client, TimeSpan Timeout, IReadOnlyList<string> GatewayArgs, IReadOnlyList<string> GatewayEnv,
    string History = IngestBenchOptions.DuckDbHistory)
{
    public const string DuckDbHistory = "duckdb";
    public const string InfluxDbHistory = "influxdb";

    public const string MqttNetClient = "mqttnet";
    public const string RawClient = "raw";

    public const string Usage =
        "ingest [--devices N (1..8000, default 1000)] [--inflight K (1..16, default 2)] [--warmup-seconds W (default 5)] " +
        "[--seconds S (default 20)] [--client mqttnet|raw (default mqttnet)] [--history duckdb|influxdb (default duckdb)] [--timeout-seconds T (default 300)] " +
        "[--gateway-arg --Key=Value ...] [--gateway-env NAME=value ...]";

    public static bool TryParse(IReadOnlyList<string> args, out IngestBenchOptions options, out string error)
    {
        options = new IngestBenchOptions(1000, 2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), MqttNetClient, TimeSpan.FromSeconds(300), [], []);
        error = "";
        var gatewayArgs = new List<string>();
        var gatewayEnv = new List<string>();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                error = $"'{args[i]}' needs a value.";
                return false;
            }

            var text = args[i + 1];
            if (args[i] == "--client")
            {
                if (text is not (MqttNetClient or RawClient))
                {
                    error = $"--client is '{MqttNetClient}' or '{RawClient}'.";
                    return false;
                }

                options = options with { Client = text };
                continue;
            }

            if (args[i] == "--history")
            {
                if (text is not (DuckDbHistory or InfluxDbHistory))
                {
                    error = $"--history is '{DuckDbHistory}' or '{InfluxDbHistory}'.";
                    return false;
                }

                options = options with { History = text };
                continue;
            }

            if (args[i] == "--gateway-arg")
            {
                gatewayArgs.Add(text);
                continue;
            }

            if (args[i] == "--gateway-env")
            {
                if (!text.Contains('=', StringComparison.Ordinal))
                {
                    error = "--gateway-env takes NAME=value.";
                    return false;
                }

                gatewayEnv.Add(text);
                continue;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"'{args[i]}' needs a whole number.";
                return false;
            }

            switch (args[i])
            {
                case "--devices":
                    options = options with { Devices = value };
                    break;
                case "--inflight":
                    options = options with { InFlight = value };
                    break;
                case "--warmup-seconds":
                    options = options with { Warmup = TimeSpan.FromSeconds(value) };
                    break;
                case "--seconds":
                    options = options with { Duration = TimeSpan.FromSeconds(value) };
                    break;
                case "--timeout-seconds":
                    options = options with { Timeout = TimeSpan.FromSeconds(value) };
                    break;
                default:
                    error = $"Unknown option '{args[i]}'.";
                    return false;
            }
        }

        options = options with { GatewayArgs = gatewayArgs, GatewayEnv = gatewayEnv };
        if (options.Devices is < 1 or > StormOptions.MaxDevices || options.InFlight is < 1 or > 16
            || options.Duration < TimeSpan.FromSeconds(1) || options.Warmup < TimeSpan.Zero
            || options.Timeout < options.Warmup + options.Duration + TimeSpan.FromSeconds(30) || options.Timeout > TimeSpan.FromMinutes(30))
        {
            error = "An option is out of range (the timeout must leave 30 s beyond warm-up and measurement).";
            return false;
        }

        return true;
    }
}

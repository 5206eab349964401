using System.Globalization;

namespace IoTPlatform.Gateway.Bench;

/// <summary>Command line of <c>connect-storm</c>.</summary>
internal sealed record StormOptions(int Devices, int Concurrency, int WrongPercent, int Rounds, TimeSpan Timeout)
{
    /// <summary>Each device needs two sockets in this process (client and server side): stay well under the fd limit.</summary>
    public const int MaxDevices = 8000;

    public const string Usage =
        "connect-storm [--devices N (1..8000, default 2000)] [--concurrency C (default 200)] " +
        "[--wrong-percent P (0..100, default 0)] [--rounds R (1..10, default 2)] [--timeout-seconds S (default 120)]";

    public static bool TryParse(IReadOnlyList<string> args, out StormOptions options, out string error)
    {
        options = new StormOptions(2000, 200, 0, 2, TimeSpan.FromSeconds(120));
        error = "";
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"'{args[i]}' needs a whole number.";
                return false;
            }

            switch (args[i])
            {
                case "--devices":
                    options = options with { Devices = value };
                    break;
                case "--concurrency":
                    options = options with { Concurrency = value };
                    break;
                case "--wrong-percent":
                    options = options with { WrongPercent = value };
                    break;
                case "--rounds":
                    options = options with { Rounds = value };
                    break;
                case "--timeout-seconds":
                    options = options with { Timeout = TimeSpan.FromSeconds(value) };
                    break;
                default:
                    error = $"Unknown option '{args[i]}'.";
                    return false;
            }
        }

        if (options.Devices is < 1 or > MaxDevices || options.Concurrency < 1 || options.WrongPercent > 100 || options.Rounds is < 1 or > 10
            || options.Timeout < TimeSpan.FromSeconds(10) || options.Timeout > TimeSpan.FromMinutes(10))
        {
            error = "An option is out of range.";
            return false;
        }

        options = options with { Concurrency = Math.Min(options.Concurrency, options.Devices) };
        return true;
    }

    /// <summary>Devices whose index modulo 100 is below the percentage present a wrong (random) secret.</summary>
    public bool PresentsWrongSecret(int index) => index % 100 < WrongPercent;
}

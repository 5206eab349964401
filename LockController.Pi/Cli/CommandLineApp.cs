using System.CommandLine;

namespace IoTPlatform.LockController.Pi.Cli;

/// <summary>The controller's command line: one command per feature.</summary>
public static class CommandLineApp
{
    /// <summary>The root command with all subcommands.</summary>
    public static RootCommand CreateRoot() => new("IoTPlatform lock controller for the Raspberry Pi")
    {
        NmeaCommand.Create(),
        GnssCommand.Create(),
        RunCommand.Create(),
        Agent.Outbox.OutboxCommand.Create(),
    };
}

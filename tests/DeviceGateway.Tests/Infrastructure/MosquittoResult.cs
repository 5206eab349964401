using System.Diagnostics;
using System.Net;
using System.Text;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>What a finished mosquitto client did: exit code and everything it printed.</summary>
public sealed record MosquittoResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for messages that the tool prints on one or the other depending on version and <c>-d</c>.</summary>
    public string Output => StandardOutput + StandardError;

    public override string ToString() =>
        $"{CommandLine}{Environment.NewLine}exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}stderr:{Environment.NewLine}{StandardError}";
}

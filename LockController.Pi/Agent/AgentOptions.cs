using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>Configuration section <c>Agent</c>: where the agent keeps what must survive a power cut.</summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Agent";

    /// <summary>
    /// The data directory: the outbox, the seq counter, the executed-command store and the signing-key cache. Relative
    /// paths are taken from the working directory (the systemd unit sets it to <c>/var/lib/lockcontroller</c>).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDir { get; set; } = "data";

    /// <summary>The data directory as an absolute path.</summary>
    public string FullDataDir => Path.GetFullPath(DataDir);
}

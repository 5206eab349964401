using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// What the controller recorded about one command id: accepted (<see cref="Received"/> set, before actuating), and
/// its outcome (<see cref="Done"/>: executed, or rejected). Accepted without an outcome after a restart means the
/// power went while it ran.
/// </summary>
/// <param name="Id">The command id.</param>
/// <param name="Action">What it asked for.</param>
/// <param name="Slot">The kiosk slot, or null.</param>
/// <param name="ExpiresAt">The command's expiry (epoch ms); the record is pruned a day after it.</param>
/// <param name="Received">The <c>received</c> ack sent, or null for a rejected command.</param>
/// <param name="Done">The <c>done</c> ack sent, or null while it runs (or when interrupted).</param>
public sealed record ExecutedCommand(string Id, CommandAction Action, int? Slot, long ExpiresAt, CommandAck? Received, CommandAck? Done)
{
    /// <summary>The acks to send again for a repeat of this id, in order.</summary>
    public IReadOnlyList<CommandAck> Acks => (Received, Done) switch
    {
        ({ } r, { } d) => [r, d],
        ({ } r, null) => [r],
        (null, { } d) => [d],
        _ => [],
    };
}

namespace IoTPlatform.DeviceGateway.Tests.Commands.StandIns;

/// <summary>How a <see cref="ControllerStandIn"/> answers a command it decided to act on.</summary>
public enum StandInBehaviour
{
    /// <summary>Acks <c>received</c>, then <c>done</c> <c>ok</c> with the lock in the commanded state; a repeated id gets the same two acks again, as the firmware answers a repeat with its recorded ack.</summary>
    Proper,

    /// <summary>Receives and never answers.</summary>
    Silent,

    /// <summary>Acks <c>received</c> and never <c>done</c>.</summary>
    ReceivedOnly,

    /// <summary>Sends every ack twice: <c>received</c>, <c>received</c>, <c>done</c>, <c>done</c>.</summary>
    AckTwice,

    /// <summary>Acks <c>received</c> at once and <c>done</c> <c>ok</c> only when the test calls <see cref="ControllerStandIn.ReleaseDone"/> (after the deadline).</summary>
    DoneWhenReleased,

    /// <summary>Acks <c>received</c>, then <c>done</c> <c>failed</c> with <c>lock: jammed</c>, <c>reason: jammed</c>.</summary>
    Jam,

    /// <summary>Acks <c>done</c> <c>rejected</c> with <c>reason: clock-unsynced</c> and never <c>received</c>.</summary>
    RejectClockUnsynced,
}

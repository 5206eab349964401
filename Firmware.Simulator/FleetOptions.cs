using System.Net;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>One run of the fleet: what the command line gives, and the riders' pace (the fleet test shortens it).</summary>
internal sealed record FleetOptions
{
    public int Devices { get; init; } = 100;

    public FleetMix Mix { get; init; } = FleetMix.Default;

    /// <summary>How long riders ride (after every controller is up).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(40);

    public int Seed { get; init; } = 7;

    public required EndPoint Broker { get; init; }

    public required Uri Api { get; init; }

    public required string ApiKey { get; init; }

    public FaultPlan Faults { get; init; } = FaultPlan.None;

    public CityBox Box { get; init; } = CityBox.Default;

    /// <summary>Recorded rides the bikes follow instead of random street paths.</summary>
    public IReadOnlyList<IReadOnlyList<(double Lat, double Lon)>> Traces { get; init; } = [];

    /// <summary>A rider waits this long (uniformly up to twice) between rides.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>A ride lasts this long (uniformly from half to one and a half times).</summary>
    public TimeSpan Ride { get; init; } = TimeSpan.FromSeconds(12);

    public int CommandTtlSeconds { get; init; } = 15;

    public int CommandWaitSeconds { get; init; } = 10;

    /// <summary>At most this long for every controller to connect and trust its clock before the riders start.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Controllers started at once.</summary>
    public int StartParallelism { get; init; } = 8;

    /// <summary>Telemetry pace of the firmware (Telemetry:MovingIntervalSeconds / ParkedIntervalSeconds).</summary>
    public int MovingIntervalSeconds { get; init; } = 5;

    public int ParkedIntervalSeconds { get; init; } = 30;

    /// <summary>Keep the per-device data dirs (the outboxes) after the run.</summary>
    public string? DataRoot { get; init; }
}

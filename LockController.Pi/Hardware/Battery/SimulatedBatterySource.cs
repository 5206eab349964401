using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>A pack voltage held in memory: tests and the simulator set it, or make the next reads fail.</summary>
public sealed class SimulatedBatterySource : BatterySource
{
    private int _millivolts;
    private string? _failure;

    public SimulatedBatterySource(BatteryOptions options, ILogger logger)
        : base(options, "simulated battery", logger) => _millivolts = options.SimulatedMillivolts;

    /// <summary>The pack voltage the next read returns.</summary>
    public int Millivolts
    {
        get => Volatile.Read(ref _millivolts);
        set => Volatile.Write(ref _millivolts, value);
    }

    /// <summary>While set, reads fail with this error (a disconnected gauge).</summary>
    public string? Failure
    {
        get => Volatile.Read(ref _failure);
        set => Volatile.Write(ref _failure, value);
    }

    protected override ValueTask<BatterySample> SampleAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(Failure is { } failure ? BatterySample.Failed(failure) : BatterySample.FromMillivolts(Millivolts));
}

namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>
/// The <c>low_battery</c> rule: a level below the threshold reports once; another report needs the level to climb to
/// threshold + hysteresis first (charging), so a level wobbling around the threshold does not repeat the event. A
/// controller that boots already low reports once. Not thread-safe: one caller (the telemetry loop).
/// </summary>
public sealed class BatteryWatch
{
    private readonly int _lowPercent;
    private readonly int _rearmPercent;
    private bool _armed = true;

    /// <summary>A watch for levels below <paramref name="lowPercent"/>, re-armed at <paramref name="lowPercent"/> + <paramref name="hysteresisPercent"/>.</summary>
    public BatteryWatch(int lowPercent, int hysteresisPercent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lowPercent);
        ArgumentOutOfRangeException.ThrowIfNegative(hysteresisPercent);
        _lowPercent = lowPercent;
        _rearmPercent = lowPercent + hysteresisPercent;
    }

    /// <summary>True when a level below the threshold has been reported and the battery has not recovered since.</summary>
    public bool IsLow => !_armed;

    /// <summary>A new level; true when it is to be reported as <c>low_battery</c>.</summary>
    public bool OnLevel(int percent)
    {
        if (_armed && percent < _lowPercent)
        {
            _armed = false;
            return true;
        }
        if (!_armed && percent >= _rearmPercent)
            _armed = true;
        return false;
    }
}

namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>
/// The <c>motion_while_locked</c> rule: when the lock locks, the position then (or the first fix after it) is the
/// anchor; the first fix farther than the threshold from the anchor while still locked is reported, once per locked
/// episode. Unlocking ends the episode. A jam or an unknown sensor state leaves the episode as it is. Not thread-safe:
/// one caller (the telemetry loop).
/// </summary>
public sealed class MotionWatch
{
    private readonly double _thresholdMeters;
    private bool _locked;
    private bool _reported;
    private (double Lat, double Lon)? _anchor;

    /// <summary>A watch reporting displacements beyond <paramref name="thresholdMeters"/>.</summary>
    public MotionWatch(double thresholdMeters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(thresholdMeters);
        _thresholdMeters = thresholdMeters;
    }

    /// <summary>Whether an episode is running (the lock is locked).</summary>
    public bool IsLocked => _locked;

    /// <summary>The lock was sensed locked; <paramref name="lat"/>/<paramref name="lon"/> is the current fix, if there is a fresh one.</summary>
    public void Locked(double? lat, double? lon)
    {
        if (_locked)
            return;
        _locked = true;
        _reported = false;
        _anchor = lat is { } a && lon is { } o ? (a, o) : null;
    }

    /// <summary>The lock was sensed unlocked: the episode ends.</summary>
    public void Unlocked()
    {
        _locked = false;
        _reported = false;
        _anchor = null;
    }

    /// <summary>A new fix; returns the distance from the anchor in metres when this fix is the episode's first beyond the threshold.</summary>
    public double? OnFix(double lat, double lon)
    {
        if (!_locked || _reported)
            return null;
        if (_anchor is not { } anchor)
        {
            _anchor = (lat, lon);
            return null;
        }
        double distance = GeoDistance.Meters(anchor.Lat, anchor.Lon, lat, lon);
        if (distance <= _thresholdMeters)
            return null;
        _reported = true;
        return distance;
    }
}

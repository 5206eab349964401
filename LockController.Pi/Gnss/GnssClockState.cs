namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>The state of the disciplined clock, as the firmware reports it (<c>clock</c> in its status message).</summary>
/// <param name="Offset">GNSS time minus local time; added to the local clock.</param>
/// <param name="IsTrustworthy">True when enough agreeing samples arrived within the holdover period.</param>
/// <param name="Samples">Agreeing samples in the current run.</param>
/// <param name="LastSampleAge">Time since the last sample; null before the first.</param>
public sealed record GnssClockState(TimeSpan Offset, bool IsTrustworthy, int Samples, TimeSpan? LastSampleAge);

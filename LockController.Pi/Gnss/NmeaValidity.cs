namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>What a sentence says about the fix: valid, not valid, or nothing.</summary>
public enum NmeaValidity
{
    /// <summary>The sentence says nothing about validity (GSV, VTG without mode, ZDA).</summary>
    Unknown = 0,

    /// <summary>The receiver reports a valid fix.</summary>
    Valid,

    /// <summary>The receiver reports no fix, or an estimated, manual or simulated one.</summary>
    Invalid,
}

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>What an actuation is for: a bike's <c>unlock</c>/<c>lock</c>, a kiosk slot's <c>release</c>/<c>secure</c>.</summary>
public enum LockAction
{
    /// <summary>Open the lock (bike <c>unlock</c>, slot <c>release</c>).</summary>
    Unlock,

    /// <summary>Close the lock (bike <c>lock</c>, slot <c>secure</c>).</summary>
    Lock,
}

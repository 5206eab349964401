using IoTPlatform.LockController.Pi.Agent.Commands;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>A clock seam for the executor: the fake time, trusted (as <c>gnss</c>) or not, as the test says.</summary>
internal sealed class ManualTrustedClock(TimeProvider time) : ITrustedClock
{
    public bool Trusted { get; set; } = true;

    public bool IsTrustworthy => Trusted;

    public string Source => Trusted ? "gnss" : "unsynced";

    public DateTimeOffset UtcNow => time.GetUtcNow();
}

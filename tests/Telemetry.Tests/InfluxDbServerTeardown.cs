using IoTPlatform.Tests.Shared;

namespace IoTPlatform.Telemetry.Tests;

/// <summary>Stops the run's influxd (if a test started it) after every test of the assembly: all of them are in this namespace or below.</summary>
[SetUpFixture]
public sealed class InfluxDbServerTeardown
{
    [OneTimeTearDown]
    public static Task StopInfluxDbAsync() => InfluxDbServer.StopSharedAsync();
}

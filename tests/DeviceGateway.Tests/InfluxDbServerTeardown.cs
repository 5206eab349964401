using IoTPlatform.Tests.Shared;

/// <summary>Stops the run's influxd (if a test started it) after every test of the assembly.</summary>
[SetUpFixture]
#pragma warning disable CA1050 // Outside any namespace on purpose: a set-up fixture there covers the whole assembly.
public sealed class InfluxDbServerTeardown
#pragma warning restore CA1050
{
    [OneTimeTearDown]
    public static Task StopInfluxDbAsync() => InfluxDbServer.StopSharedAsync();
}

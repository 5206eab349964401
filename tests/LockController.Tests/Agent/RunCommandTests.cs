using System.Globalization;
using IoTPlatform.LockController.Pi.Agent;
using IoTPlatform.LockController.Pi.Cli;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>The <c>run</c> host: configuration from the command line, the shorthand, validation at start.</summary>
[TestFixture]
public sealed class RunCommandTests
{
    [Test]
    public void The_hardware_shorthand_and_section_settings_bind_from_the_command_line()
    {
        using IHost host = RunCommand.BuildHost(
            ["--Hardware=simulated", "--Device:Id=bike-0001", "--Device:Secret=s3cret", "--Backend:Mqtt=10.0.0.5:1884", "--Backend:Api=http://10.0.0.5:8080", "--Telemetry:ParkedIntervalSeconds=60"]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(host.Services.GetRequiredService<IOptions<HardwareOptions>>().Value.Mode, Is.EqualTo(HardwareMode.Simulated));
            Assert.That(host.Services.GetRequiredService<IOptions<HardwareOptions>>().Value.Lock.ActuatorPin, Is.EqualTo(17), "the rest from appsettings.json");
            Assert.That(host.Services.GetRequiredService<IOptions<DeviceOptions>>().Value.Id, Is.EqualTo("bike-0001"));
            Assert.That(host.Services.GetRequiredService<IOptions<Pi.Agent.Telemetry.TelemetryOptions>>().Value.ParkedIntervalSeconds, Is.EqualTo(60));
            BackendOptions backend = host.Services.GetRequiredService<IOptions<BackendOptions>>().Value;
            Assert.That(backend.TryGetBroker(out string brokerHost, out int port), Is.True);
            Assert.That((brokerHost, port), Is.EqualTo(("10.0.0.5", 1884)));
        }
    }

    [Test]
    public async Task A_configuration_that_cannot_run_stops_at_start_naming_every_setting()
    {
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        string dir = Directory.CreateTempSubdirectory("lockctl-run-").FullName;
        try
        {
            int exit = await RunCommand.RunAsync(
                ["--Hardware=simulated", "--Device:Id=Bike_1", $"--Agent:DataDir={dir}", "--Backend:Mqtt=host:99999", "--Mqtt:KeepAliveSeconds=0"], error, CancellationToken.None);
            string text = error.ToString();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(exit, Is.EqualTo(2));
                Assert.That(text, Does.Contain("Device:Id must be a device id"));
                Assert.That(text, Does.Contain("Secret"));
                Assert.That(text, Does.Contain("Backend:Mqtt = 'host:99999' is not host:port"));
                Assert.That(text, Does.Contain("Api"));
                Assert.That(text, Does.Contain("KeepAliveSeconds"));
                Assert.That(Directory.EnumerateFileSystemEntries(dir), Is.Empty, "nothing opened before the configuration is good");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("127.0.0.1:1883", "127.0.0.1", 1883)]
    [TestCase("broker.example.net", "broker.example.net", 1883)]
    [TestCase("[::1]:18830", "::1", 18830)]
    public void Broker_addresses(string value, string host, int port)
    {
        var options = new BackendOptions { Mqtt = value };
        Assert.That(options.TryGetBroker(out string h, out int p), Is.True);
        Assert.That((h, p), Is.EqualTo((host, port)));
    }

    [TestCase("")]
    [TestCase("host:")]
    [TestCase("host:0")]
    [TestCase("host:65536")]
    [TestCase("bad host:1883")]
    public void Bad_broker_addresses(string value) =>
        Assert.That(new BackendOptions { Mqtt = value }.TryGetBroker(out _, out _), Is.False);
}

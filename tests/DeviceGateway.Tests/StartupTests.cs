using System.Net;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Tests;

/// <summary>First start, restarts and configuration mistakes.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class StartupTests
{
    [Test]
    public async Task Without_a_configured_admin_key_one_is_generated_kept_and_logged_by_path()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Api:AdminKey"] = null });
        var keyFile = Path.Combine(gateway.DataDir, "admin.key");
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(System.Buffers.Text.Base64Url.DecodeFromChars(key), Has.Length.EqualTo(32));
            Assert.That(OperatingSystem.IsWindows() || File.GetUnixFileMode(keyFile) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), Is.True, "owner-only file mode");
            Assert.That(gateway.Logs.Entries.Select(e => e.Message), Has.Some.Contains(keyFile));
        }

        await gateway.RegisterAsync("bike-0001", apiKey: key);
        using (var client = gateway.Client(TestGateway.AdminKey))
        using (var refused = await client.GetAsync("/api/devices"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the test key is not configured here");
        }

        await gateway.RestartAsync();
        Assert.That((await File.ReadAllTextAsync(keyFile)).Trim(), Is.EqualTo(key));
        using var after = gateway.Client(key);
        using var list = await after.GetAsync("/api/devices/bike-0001");
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_state_database_is_in_wal_mode_in_the_data_dir()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.RegisterAsync("bike-0001");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(Path.Combine(gateway.DataDir, "state.db")), Is.True);
            Assert.That(JournalMode(Path.Combine(gateway.DataDir, "state.db")), Is.EqualTo("wal"));
            Assert.That(File.Exists(Path.Combine(gateway.DataDir, "pepper.key")), Is.True);
        }
    }

    [TestCase("Api:Keys:night-shift:Role", "superuser", "Api:Keys:night-shift:Role")]
    [TestCase("Api:Keys:night-shift:Key", "short", "Api:Keys:night-shift:Key")]
    [TestCase("Api:AdminKey", "short", "Api:AdminKey")]
    public async Task A_bad_api_key_setting_stops_the_start_with_a_message_naming_it(string setting, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Api:Keys:night-shift:Key"] = "night-shift-key-0123456789",
            ["Api:Keys:night-shift:Role"] = "ops",
            [setting] = value,
        };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await TestGateway.StartAsync(settings));
        Assert.That(error!.Message, Does.Contain(named));
    }

    [TestCase("cloud", null, "Storage:History")]
    [TestCase("influxdb", null, "Storage:InfluxDb:Url")]
    [TestCase("influxdb", "ftp://127.0.0.1:8086", "Storage:InfluxDb:Url")]
    public async Task A_bad_history_setting_stops_the_start_with_a_message_naming_it(string history, string? url, string named)
    {
        var settings = new Dictionary<string, string?> { ["Storage:History"] = history, ["Storage:InfluxDb:Url"] = url };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await TestGateway.StartAsync(settings));
        Assert.That(error!.Message, Does.Contain(named));
    }

    private static string? JournalMode(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return command.ExecuteScalar() as string;
    }
}

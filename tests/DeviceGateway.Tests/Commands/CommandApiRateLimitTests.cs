using System.Net;
using IoTPlatform.DeviceGateway.Tests.Commands.StandIns;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary><c>Commands:MaxPerDevicePerMinute</c>: new commands past the limit are 429; repeats of a key are not new commands.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandApiRateLimitTests : CommandFixture
{
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Commands:MaxPerDevicePerMinute"] = "3";
            return settings;
        }
    }

    [Test]
    public async Task The_fourth_new_command_within_a_minute_is_429_while_repeats_and_other_devices_still_pass()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        await OnlineAsync("bike-0002", StandInBehaviour.Silent);
        var keys = Enumerable.Range(0, 4).Select(_ => NewKey()).ToArray();
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 120 }, keys[i])));
        }

        // Repeats of an existing key, before and after the limit is reached, are not new commands.
        using (var repeat = await PostAsync("bike-0001", new { action = "unlock", ttlSeconds = 120 }, keys[0]))
        {
            Assert.That(Id(await ReadAsync(repeat, HttpStatusCode.OK)), Is.EqualTo(created[0]));
        }

        using (var fourth = await PostAsync("bike-0001", new { action = "unlock", ttlSeconds = 120 }, keys[3]))
        {
            Assert.That(fourth.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), await fourth.Content.ReadAsStringAsync());
        }

        using (var repeat = await PostAsync("bike-0001", new { action = "unlock", ttlSeconds = 120 }, keys[2]))
        {
            Assert.That(Id(await ReadAsync(repeat, HttpStatusCode.OK)), Is.EqualTo(created[2]));
        }

        await CreateAsync("bike-0002", new { action = "unlock" }, keys[3]);
        Assert.That((await ListAsync("bike-0001")).Select(Id), Is.EqualTo(created), "the refused command was not recorded");
    }
}

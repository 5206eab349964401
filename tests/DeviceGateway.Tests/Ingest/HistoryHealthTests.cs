using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.Telemetry.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace IoTPlatform.DeviceGateway.Tests.Ingest;

public sealed class HistoryHealthTests
{
    [Test]
    public async Task Health_is_degraded_while_group_commits_fail_and_healthy_after_the_next_one_succeeds()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.Client(apiKey: null);
        var stats = gateway.Services.GetRequiredService<IngestStats>();

        Assert.That(await client.GetStringAsync("/health"), Is.EqualTo("Healthy"));

        stats.CommitFailed();
        Assert.That(await client.GetStringAsync("/health"), Is.EqualTo("Degraded"));
        var details = await client.GetFromJsonAsync<JsonElement>("/health/details");
        var history = details.GetProperty("checks").GetProperty("history-store");
        Assert.That(details.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
        Assert.That(history.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
        Assert.That(history.GetProperty("description").GetString(), Does.Contain("group commit failed"));
        Assert.That(details.GetProperty("checks").GetProperty("state-store").GetProperty("status").GetString(), Is.EqualTo("Healthy"));

        stats.Committed(1, 0, TimeSpan.FromMilliseconds(3));
        Assert.That(await client.GetStringAsync("/health"), Is.EqualTo("Healthy"));
    }
}

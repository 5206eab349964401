using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.Tests.Shared;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>The admin's HTTP calls on a backend running as a <see cref="GatewayProcess"/>.</summary>
internal static class GatewayProcessApi
{
    public static HttpClient Client(this GatewayProcess gateway)
    {
        var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", gateway.AdminKey);
        return client;
    }

    /// <summary>Registers a device through the API and returns its secret.</summary>
    public static async Task<string> RegisterAsync(this GatewayProcess gateway, string id, string kind = "bike")
    {
        using var client = gateway.Client();
        using var response = await client.PostAsJsonAsync("/api/devices", new { id, kind });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }
}

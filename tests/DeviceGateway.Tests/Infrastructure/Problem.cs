using System.Net;
using System.Text.Json;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>Reads an RFC 7807 problem response.</summary>
public static class Problem
{
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The field names a 400 problem blames.</summary>
    public static async Task<string[]> FieldsAsync(HttpResponseMessage response)
    {
        var problem = await ReadAsync(response, HttpStatusCode.BadRequest);
        return problem.TryGetProperty("errors", out var errors)
            ? [.. errors.EnumerateObject().Select(p => p.Name)]
            : [];
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>The backend's HTTP API as the simulator uses it: registering devices, the signing keys, commands.</summary>
internal sealed class FleetApi(HttpClient http)
{
    /// <summary>States a command does not leave by itself (TIMED_OUT and EXPIRED only by a late ack).</summary>
    public static readonly IReadOnlySet<string> Terminal = new HashSet<string>(StringComparer.Ordinal) { "SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "EXPIRED", "CANCELLED" };

    /// <summary>Registers a device; returns its secret. Anything but 201 is a setup error.</summary>
    public async Task<string> RegisterAsync(string id, DeviceKind kind, int? slots, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendSetupAsync(() => http.PostAsJsonAsync("/api/devices", new { id, kind = kind.ToWireName(), slots }, cancellationToken)).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new SetupException($"registering {id}: {(int)response.StatusCode} {body}" + (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? " (give an admin key with --api-key)" : ""));
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("secret").GetString() ?? throw new SetupException($"registering {id}: no secret in {body}");
    }

    /// <summary>The command-signing key set (<c>GET /api/keys/command-signing</c>); its key count.</summary>
    public async Task<int> SigningKeysAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendSetupAsync(() => http.GetAsync(new Uri("/api/keys/command-signing", UriKind.Relative), cancellationToken)).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || !PayloadCodec.TryDecodeKeySet(body, out var keySet, out var error))
            throw new SetupException($"the command-signing keys: {(int)response.StatusCode} {(response.IsSuccessStatusCode ? "not a key set" : "")}");
        return keySet.Keys.Count;
    }

    /// <summary>Sends a command (<c>POST /api/devices/{id}/commands?wait=</c>); the command, or why none was made.</summary>
    public async Task<CommandAnswer> CommandAsync(string deviceId, string action, int? slot, string idempotencyKey, int ttlSeconds, int waitSeconds, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/devices/{deviceId}/commands?wait={waitSeconds}", UriKind.Relative))
        {
            Content = JsonContent.Create(new { action, slot, ttlSeconds }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                using var doc = JsonDocument.Parse(body);
                return new CommandAnswer(doc.RootElement.GetProperty("id").GetString(), doc.RootElement.GetProperty("state").GetString(), null);
            }
            string refusal = response.StatusCode switch
            {
                HttpStatusCode.Conflict => "device-offline",
                HttpStatusCode.TooManyRequests => "rate-limited",
                _ => $"http-{(int)response.StatusCode}",
            };
            return new CommandAnswer(null, null, refusal);
        }
        catch (HttpRequestException e)
        {
            return new CommandAnswer(null, null, $"unreachable: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CommandAnswer(null, null, "timeout");
        }
    }

    /// <summary>A command's state now (<c>GET /api/commands/{id}</c>), or null when it cannot be read.</summary>
    public async Task<string?> StateAsync(string commandId, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri($"/api/commands/{commandId}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return null;
            JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
            return body.GetProperty("state").GetString();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<HttpResponseMessage> SendSetupAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SetupException($"the backend's API cannot be reached: {e.Message}");
        }
    }
}

/// <summary>A command the API made (<see cref="Id"/>, <see cref="State"/>), or the refusal.</summary>
internal sealed record CommandAnswer(string? Id, string? State, string? Refusal);

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IoTPlatform.Gateway.Bench;

/// <summary>Registers the bench's devices through the HTTP API (admin key on <paramref name="http"/>), 8 at a time.</summary>
internal static class DeviceRegistration
{
    /// <summary>The secret of each id, in the order given.</summary>
    public static async Task<string[]> RegisterAsync(HttpClient http, IReadOnlyList<string> ids, string kind, CancellationToken cancellationToken)
    {
        var secrets = new string[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            using var response = await http.PostAsJsonAsync(new Uri("/api/devices", UriKind.Relative), new { id = ids[i], kind }, ct);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"Registering {ids[i]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }

            secrets[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret").GetString()!;
        });
        return secrets;
    }
}

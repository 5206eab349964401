using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>
/// A small client of the InfluxDB v1 HTTP API (native on 1.x, the compatibility API on 2.x/3.x):
/// <c>/ping</c>, <c>/write</c> with gzip line protocol in nanoseconds, <c>/query</c> with InfluxQL and
/// chunked JSON answers. Every refusal becomes an <see cref="InfluxDbException"/> with the server's text.
/// </summary>
public sealed class InfluxDbClient : IDisposable
{
    /// <summary>Rows per chunk of a query answer: big answers stream instead of being built in one piece.</summary>
    public const int ChunkSize = 10_000;

    private readonly HttpClient _http;
    private readonly string _credentials;

    public InfluxDbClient(InfluxDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = options.Url ?? throw new ArgumentException("The InfluxDB URL is not set.", nameof(options));
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(url.AbsoluteUri.TrimEnd('/') + "/"),
            Timeout = options.Timeout,
        };
        if (!string.IsNullOrEmpty(options.Token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", options.Token);
        }

        _credentials = string.IsNullOrEmpty(options.Username)
            ? string.Empty
            : $"&u={Uri.EscapeDataString(options.Username)}&p={Uri.EscapeDataString(options.Password ?? string.Empty)}";
    }

    /// <summary>Asks <c>/ping</c>; returns the server's version (the <c>X-Influxdb-Version</c> header, empty when absent).</summary>
    public async Task<string> PingAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri("ping", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "ping", cancellationToken).ConfigureAwait(false);
        return response.Headers.TryGetValues("X-Influxdb-Version", out var versions) ? versions.FirstOrDefault() ?? string.Empty : string.Empty;
    }

    /// <summary>Writes line protocol (nanosecond timestamps) to <paramref name="database"/>, gzip-compressed.</summary>
    public async Task WriteAsync(string database, string lines, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentNullException.ThrowIfNull(lines);
        var body = new MemoryStream();
        await using (body.ConfigureAwait(false))
        {
            var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var bytes = Encoding.UTF8.GetBytes(lines);
                await gzip.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            using var content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            content.Headers.ContentEncoding.Add("gzip");
            var uri = new Uri($"write?db={Uri.EscapeDataString(database)}&precision=ns{_credentials}", UriKind.Relative);
            using var response = await _http.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, $"write to '{database}'", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one InfluxQL statement (POST, so that it may also be <c>CREATE</c>, <c>ALTER</c> or <c>DELETE</c>)
    /// and streams the series of its answer, chunk by chunk; times are epoch nanoseconds.
    /// </summary>
    public async IAsyncEnumerable<InfluxSeries> QueryAsync(string? database, string statement, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(statement);
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["q"] = statement,
            ["epoch"] = "ns",
            ["chunked"] = "true",
            ["chunk_size"] = ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (database is not null)
        {
            form["db"] = database;
        }

        using var content = new FormUrlEncodedContent(form);
        var uri = new Uri(_credentials.Length == 0 ? "query" : "query?" + _credentials[1..], UriKind.Relative);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, Describe(statement), cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                foreach (var series in ParseChunk(line, statement))
                {
                    yield return series;
                }
            }
        }
    }

    /// <summary>Runs a statement whose answer is not needed (<c>CREATE</c>, <c>ALTER</c>, <c>DELETE</c>); throws on its error.</summary>
    public async Task ExecuteAsync(string? database, string statement, CancellationToken cancellationToken)
    {
        await foreach (var unused in QueryAsync(database, statement, cancellationToken).ConfigureAwait(false))
        {
            _ = unused;
        }
    }

    public void Dispose() => _http.Dispose();

    private static List<InfluxSeries> ParseChunk(string line, string statement)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            throw new InfluxDbException($"InfluxDB failed {Describe(statement)}: {error.GetString()}", null, error.GetString());
        }

        var list = new List<InfluxSeries>();
        if (!root.TryGetProperty("results", out var results))
        {
            return list;
        }

        foreach (var result in results.EnumerateArray())
        {
            if (result.TryGetProperty("error", out var statementError))
            {
                throw new InfluxDbException($"InfluxDB failed {Describe(statement)}: {statementError.GetString()}", null, statementError.GetString());
            }

            if (!result.TryGetProperty("series", out var seriesArray))
            {
                continue;
            }

            foreach (var series in seriesArray.EnumerateArray())
            {
                var name = series.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
                var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? string.Empty).ToList();
                var rows = new List<JsonElement[]>();
                if (series.TryGetProperty("values", out var values))
                {
                    foreach (var row in values.EnumerateArray())
                    {
                        rows.Add(row.EnumerateArray().Select(v => v.Clone()).ToArray());
                    }
                }

                list.Add(new InfluxSeries(name, columns, rows));
            }
        }

        return list;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var serverError = text;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                serverError = error.GetString() ?? text;
            }
            else if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message))
            {
                serverError = message.GetString() ?? text; // 2.x
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the text as it is.
        }

        throw new InfluxDbException(
            $"InfluxDB refused {what}: {(int)response.StatusCode} {response.ReasonPhrase}: {serverError.Trim()}",
            response.StatusCode,
            serverError);
    }

    private static string Describe(string statement) =>
        statement.Length <= 200 ? $"'{statement}'" : $"'{statement[..200]}…'";
}

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>
/// Where the InfluxDB history lives and how to log in. Section <c>Storage:InfluxDb</c>. A token is sent as
/// <c>Authorization: Token …</c> (2.x/3.x, 1.8+ with <c>user:password</c>); a user name and password as the
/// v1 <c>u</c>/<c>p</c> query parameters.
/// </summary>
public sealed class InfluxDbOptions
{
    public const string DefaultDatabase = "iotplatform";

    /// <summary>Base address of the HTTP API, e.g. <c>http://127.0.0.1:8086</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>The v1 database (on 2.x/3.x: the database name of a DBRP mapping).</summary>
    public string Database { get; set; } = DefaultDatabase;

    public string? Token { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>On 1.x: the default retention policy's duration in days; unset keeps the server's (infinite by default).</summary>
    public int? RetentionDays { get; set; }

    /// <summary>How long one HTTP request may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What is wrong with the settings, each message naming the setting below <paramref name="section"/>; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems(string section)
    {
        var problems = new List<string>();
        if (Url is null)
        {
            problems.Add($"{section}:Url is required (e.g. http://127.0.0.1:8086).");
        }
        else if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{section}:Url must be an absolute http:// or https:// address; it is '{Url}'.");
        }

        if (string.IsNullOrWhiteSpace(Database))
        {
            problems.Add($"{section}:Database must not be empty.");
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            problems.Add($"{section}:Username and {section}:Password come together; only one is set.");
        }

        if (!string.IsNullOrEmpty(Token) && !string.IsNullOrEmpty(Username))
        {
            problems.Add($"{section}:Token and {section}:Username/Password are two ways to log in; set one.");
        }

        if (RetentionDays is < 1 or > 36500)
        {
            problems.Add($"{section}:RetentionDays is {RetentionDays}; it must be within 1…36500 (or unset).");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            problems.Add($"{section}:Timeout must be positive.");
        }

        return problems;
    }
}

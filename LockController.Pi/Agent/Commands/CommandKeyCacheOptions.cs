namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Where <see cref="CommandKeyCache"/> gets the command-signing keys, where it keeps them, and how often it asks.</summary>
public sealed class CommandKeyCacheOptions
{
    /// <summary>The key set's address: <c>{Backend:Api}/api/keys/command-signing</c> (see <see cref="KeySetUriFor"/>).</summary>
    public required Uri KeySetUri { get; init; }

    /// <summary>The file the last good key set is kept in, so that an offline start can verify commands.</summary>
    public required string FilePath { get; init; }

    /// <summary>Time between two refreshes after a good one.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Time before the next try after a failed refresh.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A command naming an unknown <c>kid</c> triggers a refresh at most this often (a flood of forged kids costs one request).</summary>
    public TimeSpan UnknownKidMinInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the key set endpoint.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest key set response read.</summary>
    public int MaxResponseBytes { get; init; } = 64 * 1024;

    /// <summary>The key set's address under the backend's API base address (<c>Backend:Api</c>, e.g. <c>http://10.0.0.5:8080</c>).</summary>
    public static Uri KeySetUriFor(Uri api)
    {
        ArgumentNullException.ThrowIfNull(api);
        string text = api.ToString();
        return new Uri(new Uri(text.EndsWith('/') ? text : text + "/"), "api/keys/command-signing");
    }
}

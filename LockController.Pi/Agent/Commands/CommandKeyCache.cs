using System.Globalization;
using System.Net.Http.Headers;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// The backend's command-signing public keys as this controller knows them: loaded from the file at start (so an
/// offline start still verifies), fetched from <c>GET {Backend:Api}/api/keys/command-signing</c> by <see cref="RunAsync"/>
/// every <see cref="CommandKeyCacheOptions.RefreshInterval"/>, and once more — at most every
/// <see cref="CommandKeyCacheOptions.UnknownKidMinInterval"/> — when a command names a kid it does not hold. Every good
/// key set is written to the file atomically. A bad answer never replaces good keys. Thread-safe.
/// </summary>
public sealed class CommandKeyCache : IDisposable
{
    private readonly HttpClient _http;
    private readonly CommandKeyCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _verifierGate = new();
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private CommandVerifier? _verifier;
    private byte[]? _current;
    private long? _lastUnknownKidRefresh;
    private long _refreshes;
    private long _fetchFailures;
    private long _invalid;
    private long _unknownKidRefreshes;
    private long _unknownKidSkipped;
    private long _persistFailures;

    /// <summary>A cache over <paramref name="http"/> (not owned); loads the file at once if there is one.</summary>
    public CommandKeyCache(HttpClient http, CommandKeyCacheOptions options, TimeProvider time, ILogger<CommandKeyCache> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
        LoadFile();
    }

    /// <summary>The kids held now (empty before the first key set).</summary>
    public IReadOnlyCollection<string> Kids
    {
        get
        {
            lock (_verifierGate)
                return _verifier is null ? [] : [.. _verifier.Kids];
        }
    }

    public CommandKeyCacheStats Stats => new(Kids.Count, Interlocked.Read(ref _refreshes), Interlocked.Read(ref _fetchFailures),
        Interlocked.Read(ref _invalid), Interlocked.Read(ref _unknownKidRefreshes), Interlocked.Read(ref _unknownKidSkipped),
        Interlocked.Read(ref _persistFailures));

    /// <summary>
    /// Checks <paramref name="command"/>'s signature for <paramref name="deviceId"/>. When its kid is unknown, refreshes
    /// the key set once (rate-limited) and checks again.
    /// </summary>
    public async Task<VerificationResult> VerifyAsync(DeviceCommand command, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        VerificationResult result = Verify(command, deviceId);
        if (result.IsValid || result.Reason != VerificationReasons.UnknownKid)
            return result;
        if (!TryTakeUnknownKidRefresh())
        {
            Interlocked.Increment(ref _unknownKidSkipped);
            Log.KeySetUnknownKid(_logger, command.Kid, false);
            return result;
        }
        Interlocked.Increment(ref _unknownKidRefreshes);
        Log.KeySetUnknownKid(_logger, command.Kid, true);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return Verify(command, deviceId);
    }

    /// <summary>Checks a signature with the keys held now, without refreshing.</summary>
    public VerificationResult Verify(DeviceCommand command, string deviceId)
    {
        lock (_verifierGate)
            return _verifier?.Verify(command, deviceId) ?? VerificationResult.Invalid(VerificationReasons.UnknownKid);
    }

    /// <summary>Fetches the key set now. True when a good key set was fetched (and is in use).</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[]? body = await FetchAsync(cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                Interlocked.Increment(ref _fetchFailures);
                return false;
            }
            if (!Accept(body, _options.KeySetUri.ToString(), fromFile: false))
                return false;
            Interlocked.Increment(ref _refreshes);
            return true;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>Refreshes at once, then every <see cref="CommandKeyCacheOptions.RefreshInterval"/> (after a failure, <see cref="CommandKeyCacheOptions.RetryInterval"/>) until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                bool ok = await RefreshAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(ok ? _options.RefreshInterval : _options.RetryInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public void Dispose()
    {
        lock (_verifierGate)
        {
            _verifier?.Dispose();
            _verifier = null;
        }
        _refreshGate.Dispose();
    }

    private bool TryTakeUnknownKidRefresh()
    {
        lock (_verifierGate)
        {
            long now = _time.GetTimestamp();
            if (_lastUnknownKidRefresh is long last && _time.GetElapsedTime(last, now) < _options.UnknownKidMinInterval)
                return false;
            _lastUnknownKidRefresh = now;
            return true;
        }
    }

    private async Task<byte[]?> FetchAsync(CancellationToken cancellationToken)
    {
        string uri = _options.KeySetUri.ToString();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _options.KeySetUri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Log.KeySetFetchFailed(_logger, uri, string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
                return null;
            }
            if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
            {
                Log.KeySetFetchFailed(_logger, uri, string.Create(CultureInfo.InvariantCulture, $"{response.Content.Headers.ContentLength} bytes; at most {_options.MaxResponseBytes} are read"));
                return null;
            }
            Stream stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[_options.MaxResponseBytes + 1];
                int read = 0, n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), linked.Token).ConfigureAwait(false)) > 0)
                    read += n;
                if (read > _options.MaxResponseBytes)
                {
                    Log.KeySetFetchFailed(_logger, uri, string.Create(CultureInfo.InvariantCulture, $"more than {_options.MaxResponseBytes} bytes"));
                    return null;
                }
                return buffer[..read];
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.KeySetFetchFailed(_logger, uri, $"no answer within {_options.RequestTimeout}");
            return null;
        }
        catch (HttpRequestException e)
        {
            Log.KeySetFetchFailed(_logger, uri, e.Message);
            return null;
        }
        catch (IOException e)
        {
            Log.KeySetFetchFailed(_logger, uri, e.Message);
            return null;
        }
    }

    /// <summary>Decodes and loads a key set; persists it when it came from the network and differs from the one held.</summary>
    private bool Accept(byte[] body, string source, bool fromFile)
    {
        if (!PayloadCodec.TryDecodeKeySet(body, out CommandSigningKeySet? keySet, out DecodeError? error))
        {
            Interlocked.Increment(ref _invalid);
            Log.KeySetInvalid(_logger, source, error.ToString());
            return false;
        }
        if (!CommandVerifier.TryCreate(keySet.Keys, out CommandVerifier? verifier, out string? problem))
        {
            Interlocked.Increment(ref _invalid);
            Log.KeySetInvalid(_logger, source, problem);
            return false;
        }
        byte[] canonical = PayloadCodec.Encode(keySet);
        bool changed;
        CommandVerifier? old;
        lock (_verifierGate)
        {
            changed = _current is null || !canonical.AsSpan().SequenceEqual(_current);
            old = _verifier;
            _verifier = verifier;
            _current = canonical;
        }
        old?.Dispose();
        if (changed)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                string kids = string.Join(',', keySet.Keys.Select(k => k.Kid));
                Log.KeySetLoaded(_logger, source, kids, keySet.Current);
            }
            if (!fromFile)
                Persist(canonical);
        }
        return true;
    }

    private void LoadFile()
    {
        byte[] content;
        try
        {
            if (!File.Exists(_options.FilePath))
                return;
            content = File.ReadAllBytes(_options.FilePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _invalid);
            Log.KeySetInvalid(_logger, _options.FilePath, e.Message);
            return;
        }
        _ = Accept(content, _options.FilePath, fromFile: true);
    }

    private void Persist(byte[] canonical)
    {
        try
        {
            DurableFiles.ReplaceAtomically(_options.FilePath, canonical);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _persistFailures);
            Log.KeySetPersistFailed(_logger, _options.FilePath, e);
        }
    }
}

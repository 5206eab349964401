using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.DeviceGateway.Commands.Signing;

/// <summary>
/// The backend's command-signing keys. Without <c>Commands:Signing:KeyFile</c> the P-256 key pair is created at first
/// start in <c>{DataDir}/command-signing/</c> (<c>{kid}.pem</c>, owner-only, and <c>keys.json</c>) and loaded at later
/// starts; <see cref="RotateAsync"/> makes a new key current and keeps the previous one in <see cref="KeySet"/> for
/// <c>Commands:Signing:OverlapHours</c>. With a key file, that key is current and the data dir is not used; rotation
/// is done by replacing the file. Keys past their overlap are dropped (and their files deleted) at start and the
/// first time <see cref="Current"/> or <see cref="KeySet"/> is read after the overlap ends. Thread-safe.
/// </summary>
public sealed class CommandKeyStore : IDisposable
{
    public const string FolderName = "command-signing";
    public const string IndexFileName = "keys.json";

    private static readonly JsonSerializerOptions IndexJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly TimeSpan _overlap;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _keyFile;
    private readonly ImmutableArray<CommandSigningKey> _previous;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ECDsa> _owned = [];
    private State _state;

    /// <param name="options">Validated <c>Commands:Signing</c> settings.</param>
    /// <param name="dataDir">The data dir (absolute); generated keys live in its <see cref="FolderName"/> folder.</param>
    /// <param name="contentRoot">What relative key file paths are resolved against.</param>
    /// <exception cref="InvalidDataException">A key file or <c>keys.json</c> that cannot be used; the message names it.</exception>
    public CommandKeyStore(CommandSigningOptions options, string dataDir, string contentRoot, TimeProvider timeProvider, ILogger<CommandKeyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(contentRoot);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _overlap = TimeSpan.FromHours(options.OverlapHours);
        _time = timeProvider;
        _logger = logger;
        Folder = Path.Combine(dataDir, FolderName);
        IndexPath = Path.Combine(Folder, IndexFileName);
        _previous = LoadPreviousKeys(options, contentRoot);

        try
        {
            if (options.KeyFile is { } keyFile)
            {
                _keyFile = CommandSigningOptions.Resolve(keyFile, contentRoot);
                var key = ReadKey(_keyFile, requirePrivate: true, $"{CommandSigningOptions.Section}:{nameof(options.KeyFile)}");
                _owned.Add(key);
                var signer = new CommandSigner(key, CommandKeyFiles.KidOf(key));
                Log.CommandKeyLoaded(_logger, signer.Kid, _keyFile);
                _state = NewState(signer, []);
            }
            else
            {
                _state = LoadOrCreate();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Where generated keys live (unused with a key file).</summary>
    public string Folder { get; }

    /// <summary>The index of generated keys.</summary>
    public string IndexPath { get; }

    /// <summary>The configured <c>Commands:Signing:KeyFile</c> (absolute), or null when keys are generated in the data dir.</summary>
    public string? KeyFile => _keyFile;

    /// <summary>True unless the key comes from a configured file (then a new key is a new file).</summary>
    public bool CanRotate => _keyFile is null;

    /// <summary>The signer new commands use.</summary>
    public CommandSigner Current => Fresh().Current;

    /// <summary>The current key, rotated-out keys still inside their overlap, and the configured previous keys.</summary>
    public CommandSigningKeySet KeySet => Fresh().KeySet;

    /// <summary>
    /// Makes a new P-256 key current; the previous one stays in the key set until now + <c>OverlapHours</c>. The key
    /// file and the index are written (atomically, owner-only) before the new key is used.
    /// </summary>
    /// <returns>The new current key.</returns>
    /// <exception cref="InvalidOperationException">The key comes from <c>Commands:Signing:KeyFile</c>.</exception>
    public async Task<CommandSigningKey> RotateAsync(CancellationToken cancellationToken)
    {
        if (!CanRotate)
        {
            throw new InvalidOperationException(RotateWithFileMessage(_keyFile!));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var old = _state;
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _owned.Add(key);
            var signer = new CommandSigner(key, CommandKeyFiles.KidOf(key));
            var retireAt = now + _overlap;
            var retired = old.Retired
                .Where(r => r.RetireAt > now)
                .Append(new RetiredKey(old.Current.Kid, retireAt, old.Current.PublicKey))
                .ToImmutableArray();

            var path = KeyPath(signer.Kid);
            CommandKeyFiles.WriteOwnerOnly(path, key.ExportPkcs8PrivateKeyPem());
            WriteIndex(signer.Kid, retired);
            Volatile.Write(ref _state, NewState(signer, retired));
            Log.CommandKeyRotated(_logger, old.Current.Kid, signer.Kid, retireAt);
            DeleteDropped(old.Retired.Where(r => r.RetireAt <= now));
            return signer.PublicKey;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The problem detail of a rotation asked for while the key comes from a configured file.</summary>
    internal static string RotateWithFileMessage(string keyFile) =>
        $"The command-signing key comes from {CommandSigningOptions.Section}:KeyFile ('{keyFile}'). Rotate it by writing a new P-256 "
        + $"key to that file (on every instance), listing the old file in {CommandSigningOptions.Section}:PreviousKeyFiles until "
        + "commands signed with it have expired, and restarting.";

    public void Dispose()
    {
        foreach (var key in _owned)
        {
            key.Dispose();
        }

        _owned.Clear();
        _gate.Dispose();
    }

    private State Fresh()
    {
        var state = Volatile.Read(ref _state);
        return state.NextRetireAt > _time.GetUtcNow() ? state : Prune();
    }

    /// <summary>Drops keys past their overlap: from the key set at once, then from the index, then their files.</summary>
    private State Prune()
    {
        _gate.Wait();
        try
        {
            var now = _time.GetUtcNow();
            var state = _state;
            if (state.NextRetireAt > now)
            {
                return state;
            }

            var keep = state.Retired.Where(r => r.RetireAt > now).ToImmutableArray();
            var pruned = NewState(state.Current, keep);
            Volatile.Write(ref _state, pruned);
            try
            {
                WriteIndex(state.Current.Kid, keep);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not served any more either way; the next start drops them from the index.
                Log.CommandKeyIndexWriteFailed(_logger, IndexPath, ex);
                return pruned;
            }

            DeleteDropped(state.Retired.Where(r => r.RetireAt <= now));
            return pruned;
        }
        finally
        {
            _gate.Release();
        }
    }

    private State LoadOrCreate()
    {
        if (!File.Exists(IndexPath))
        {
            return Create();
        }

        var index = ReadIndex();
        var now = _time.GetUtcNow();
        var key = ReadKey(KeyPath(index.Current!), requirePrivate: true, setting: null);
        _owned.Add(key);
        var current = new CommandSigner(key, index.Current!);
        Log.CommandKeyLoaded(_logger, current.Kid, KeyPath(current.Kid));

        var retired = ImmutableArray.CreateBuilder<RetiredKey>();
        var dropped = new List<RetiredKey>();
        foreach (var entry in index.Retired ?? [])
        {
            var kid = entry.Kid!;
            var retireAt = entry.RetireAt!.Value;
            if (retireAt <= now)
            {
                dropped.Add(new RetiredKey(kid, retireAt, PublicKey: null));
                continue;
            }

            using var old = ReadKey(KeyPath(kid), requirePrivate: true, setting: null);
            retired.Add(new RetiredKey(kid, retireAt, new CommandSigningKey { Kid = kid, PublicKeyPem = old.ExportSubjectPublicKeyInfoPem() }));
            Log.CommandKeyInOverlap(_logger, kid, retireAt);
        }

        var state = NewState(current, retired.ToImmutable());
        if (dropped.Count > 0)
        {
            WriteIndex(current.Kid, state.Retired);
            DeleteDropped(dropped);
        }

        return state;
    }

    private State Create()
    {
        if (Directory.Exists(Folder) && Directory.EnumerateFiles(Folder, "*.pem").Any())
        {
            throw new InvalidDataException(
                $"'{IndexPath}' is missing but '{Folder}' holds key files. Restore {IndexFileName} from a backup; only if this backend "
                + "never signed a command that a device must accept, delete the folder to start over with a new key.");
        }

        CommandKeyFiles.EnsureFolder(Folder);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _owned.Add(key);
        var signer = new CommandSigner(key, CommandKeyFiles.KidOf(key));
        var path = KeyPath(signer.Kid);
        CommandKeyFiles.WriteOwnerOnly(path, key.ExportPkcs8PrivateKeyPem());
        WriteIndex(signer.Kid, []);
        Log.CommandKeyCreated(_logger, signer.Kid, path);
        return NewState(signer, []);
    }

    private CommandKeyIndex ReadIndex()
    {
        CommandKeyIndex? index;
        try
        {
            index = JsonSerializer.Deserialize<CommandKeyIndex>(File.ReadAllText(IndexPath), IndexJson);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw Corrupt($"cannot be read: {ex.Message}", ex);
        }

        if (index is null || !CommandKeyFiles.IsKid(index.Current))
        {
            throw Corrupt($"names no current key (\"current\" must be a kid like {CommandKeyFiles.KidPrefix}0123456789abcdef).", inner: null);
        }

        foreach (var entry in index.Retired ?? [])
        {
            if (entry is null || !CommandKeyFiles.IsKid(entry.Kid) || entry.RetireAt is null || entry.Kid == index.Current)
            {
                throw Corrupt("has a retired entry without a valid \"kid\" and \"retireAt\" (or one that repeats the current kid).", inner: null);
            }
        }

        return index;

        InvalidDataException Corrupt(string what, Exception? inner) => new(
            $"The command-signing key index '{IndexPath}' {what} Restore it from a backup; a new key would make every device reject commands.",
            inner);
    }

    private static ECDsa ReadKey(string path, bool requirePrivate, string? setting)
    {
        var key = CommandKeyFiles.TryRead(path, requirePrivate, out var error);
        if (key is null)
        {
            throw new InvalidDataException(setting is null
                ? $"The command-signing key file '{path}' {error} Restore it from a backup; a new key would make every device reject commands."
                : $"{setting}: '{path}' {error}");
        }

        if (setting is null && CommandKeyFiles.KidOf(key) is var kid && kid != Path.GetFileNameWithoutExtension(path))
        {
            key.Dispose();
            throw new InvalidDataException($"The command-signing key file '{path}' holds another key than its name says (kid {kid}). Restore it from a backup.");
        }

        return key;
    }

    private ImmutableArray<CommandSigningKey> LoadPreviousKeys(CommandSigningOptions options, string contentRoot)
    {
        var keys = ImmutableArray.CreateBuilder<CommandSigningKey>();
        for (var i = 0; i < options.PreviousKeyFiles.Count; i++)
        {
            var path = CommandSigningOptions.Resolve(options.PreviousKeyFiles[i], contentRoot);
            using var key = CommandKeyFiles.TryRead(path, requirePrivate: false, out var error)
                ?? throw new InvalidDataException($"{CommandSigningOptions.Section}:{nameof(options.PreviousKeyFiles)}:{i}: '{path}' {error}");
            var kid = CommandKeyFiles.KidOf(key);
            if (keys.All(k => k.Kid != kid))
            {
                keys.Add(new CommandSigningKey { Kid = kid, PublicKeyPem = key.ExportSubjectPublicKeyInfoPem() });
                Log.CommandKeyPrevious(_logger, kid, path);
            }
        }

        return keys.ToImmutable();
    }

    private void WriteIndex(string current, IEnumerable<RetiredKey> retired)
    {
        var index = new CommandKeyIndex
        {
            Current = current,
            Retired = [.. retired.Select(r => new RetiredKeyEntry { Kid = r.Kid, RetireAt = r.RetireAt })],
        };
        CommandKeyFiles.WriteOwnerOnly(IndexPath, JsonSerializer.Serialize(index, IndexJson));
    }

    private void DeleteDropped(IEnumerable<RetiredKey> dropped)
    {
        foreach (var key in dropped)
        {
            var path = KeyPath(key.Kid);
            try
            {
                File.Delete(path);
                Log.CommandKeyRetired(_logger, key.Kid, key.RetireAt, path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.CommandKeyDeleteFailed(_logger, key.Kid, path, ex);
            }
        }
    }

    private State NewState(CommandSigner current, ImmutableArray<RetiredKey> retired)
    {
        var keys = new List<CommandSigningKey> { current.PublicKey };
        keys.AddRange(retired.OrderByDescending(r => r.RetireAt).Select(r => r.PublicKey!));
        keys.AddRange(_previous.Where(p => keys.All(k => k.Kid != p.Kid)));
        var next = retired.IsEmpty ? DateTimeOffset.MaxValue : retired.Min(r => r.RetireAt);
        return new State(current, retired, new CommandSigningKeySet { Keys = keys.AsReadOnly(), Current = current.Kid }, next);
    }

    private string KeyPath(string kid) => Path.Combine(Folder, kid + ".pem");

    private sealed record State(CommandSigner Current, ImmutableArray<RetiredKey> Retired, CommandSigningKeySet KeySet, DateTimeOffset NextRetireAt);

    private sealed record RetiredKey(string Kid, DateTimeOffset RetireAt, CommandSigningKey? PublicKey);
}

using System.Security.Cryptography;

namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>Files the backend keeps beside its databases: secrets only the owner may read.</summary>
internal static class DataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Ensure(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return dataDir;
    }

    /// <summary>
    /// Reads a secret file, or creates it with <paramref name="create"/> when it is missing.
    /// Creation is atomic (write to a temp file, then rename) so a crash never leaves half a key.
    /// </summary>
    public static string ReadOrCreateSecret(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length == 0)
            {
                throw new InvalidDataException($"The key file '{path}' is empty. Restore it from a backup or delete it to start over (every secret it protected stops working).");
            }

            return existing;
        }

        var value = create();
        WriteOwnerOnly(path, value, overwrite: false);
        return value;
    }

    /// <summary>
    /// Writes <paramref name="text"/> atomically (temp file, flush to disk, rename), readable by the owner only. With
    /// <paramref name="overwrite"/> false an existing file is never replaced (the rename throws instead).
    /// </summary>
    public static void WriteOwnerOnly(string path, string text, bool overwrite)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite);
    }

    /// <summary>A random 256-bit value as base64url: device secrets, the pepper, generated API keys.</summary>
    public static string NewRandomToken() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

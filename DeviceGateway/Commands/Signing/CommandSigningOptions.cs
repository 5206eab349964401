using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.DeviceGateway.Commands.Signing;

/// <summary>
/// Command-signing keys, section <c>Commands:Signing</c>. Without <see cref="KeyFile"/> the key pair is made at
/// first start in <c>{Storage:DataDir}/command-signing/</c> and rotated through the API; with it, every instance
/// that points at the same file signs with the same key. Relative paths are resolved against the content root
/// (the working directory the backend was started in), as ASP.NET Core does for Kestrel's certificate files.
/// </summary>
public sealed class CommandSigningOptions
{
    public const string Section = "Commands:Signing";

    public const int MaxOverlapHours = 24 * 365;

    /// <summary>A P-256 private key as PEM (PKCS#8 <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>); null: keys in the data dir.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Keys devices may still verify but nothing is signed with: public or private PEMs, served in the key set.</summary>
    public IList<string> PreviousKeyFiles { get; } = [];

    /// <summary>How long a rotated-out key stays in the key set, so commands signed just before a rotation still verify.</summary>
    [Range(1, MaxOverlapHours, ErrorMessage = "Commands:Signing:OverlapHours must be a whole number of hours from 1 to 8760.")]
    public int OverlapHours { get; set; } = 24;

    /// <summary>A configured path made absolute against <paramref name="contentRoot"/>.</summary>
    public static string Resolve(string path, string contentRoot) => Path.GetFullPath(path, contentRoot);
}

using System.Reflection;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>What the controller says about itself: its firmware version and why it (re)started.</summary>
/// <param name="Version">The firmware version (the assembly's informational version, at most 64 characters).</param>
/// <param name="BootReason">Why this run started, kebab-case: see <see cref="BootMarker"/>.</param>
public sealed record FirmwareInfo(string Version, string BootReason)
{
    /// <summary>The version of this build.</summary>
    public static string CurrentVersion
    {
        get
        {
            Assembly assembly = typeof(FirmwareInfo).Assembly;
            string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString()
                ?? "0.0.0";
            return version.Length <= PayloadValidator.MaxTextLength ? version : version[..PayloadValidator.MaxTextLength];
        }
    }
}

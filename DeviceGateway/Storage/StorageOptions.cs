using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>Where the backend keeps its state. Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for <c>state.db</c>, the secret pepper and the generated admin key.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDir { get; set; } = "./data";

    public string FullDataDir => Path.GetFullPath(DataDir);
}

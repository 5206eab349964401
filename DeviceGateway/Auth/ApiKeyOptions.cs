namespace IoTPlatform.DeviceGateway.Auth;

/// <summary>One named API key: <c>Api:Keys:{name}:Key</c> and <c>Api:Keys:{name}:Role</c>.</summary>
public sealed class ApiKeyOptions
{
    public string Key { get; set; } = "";

    public string Role { get; set; } = ApiRole.ReadOnly;
}

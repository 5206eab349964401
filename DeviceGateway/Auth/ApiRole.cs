namespace IoTPlatform.DeviceGateway.Auth;

/// <summary>
/// What an API key may do. Every role may query; <c>ops</c> may command; <c>maintenance</c> may
/// unlock for repair; only <c>admin</c> manages devices and keys.
/// </summary>
public static class ApiRole
{
    public const string Admin = "admin";
    public const string Ops = "ops";
    public const string Maintenance = "maintenance";
    public const string ReadOnly = "readonly";

    public static IReadOnlyList<string> All { get; } = [Admin, Ops, Maintenance, ReadOnly];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}

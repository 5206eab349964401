using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.DeviceGateway.Auth;

/// <summary>
/// API keys, section <c>Api</c>: <c>Api:AdminKey</c> (generated at first start when not set, kept in the
/// data dir as <c>admin.key</c>) and named keys <c>Api:Keys:{name}:Key</c> with <c>Role</c>.
/// </summary>
public sealed class ApiOptions : IValidatableObject
{
    public const string Section = "Api";

    /// <summary>Shortest key accepted from configuration: anything shorter can be guessed.</summary>
    public const int MinKeyLength = 16;

    public string? AdminKey { get; set; }

    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AdminKey is not null && AdminKey.Length < MinKeyLength)
        {
            yield return new ValidationResult($"Api:AdminKey must be at least {MinKeyLength} characters.", [nameof(AdminKey)]);
        }

        foreach (var (name, key) in Keys)
        {
            if (string.IsNullOrWhiteSpace(key.Key) || key.Key.Length < MinKeyLength)
            {
                yield return new ValidationResult($"Api:Keys:{name}:Key must be at least {MinKeyLength} characters.", [$"Keys:{name}:Key"]);
            }

            if (!ApiRole.IsKnown(key.Role))
            {
                yield return new ValidationResult(
                    $"Api:Keys:{name}:Role is '{key.Role}'; it must be one of {string.Join(", ", ApiRole.All)}.", [$"Keys:{name}:Role"]);
            }

            if (string.Equals(name, ApiRole.Admin, StringComparison.Ordinal))
            {
                yield return new ValidationResult("Api:Keys:admin is reserved for Api:AdminKey; name the key otherwise.", [$"Keys:{name}"]);
            }
        }
    }
}

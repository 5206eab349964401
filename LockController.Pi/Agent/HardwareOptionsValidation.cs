using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>
/// Checks the <c>Hardware</c> section at start with <see cref="HardwareOptionsValidator"/> (every problem at once, each
/// naming its setting). Whether the pins exist is checked by <see cref="HardwareFactory"/> once the controller is open.
/// </summary>
public sealed class HardwareOptionsValidation : IValidateOptions<HardwareOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HardwareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = HardwareOptionsValidator.Validate(options, pinCount: null);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

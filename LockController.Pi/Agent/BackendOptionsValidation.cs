using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>Checks the form of <c>Backend:Mqtt</c> (<c>host[:port]</c>) and <c>Backend:Api</c> (an absolute http(s) URL) at start; that they are set is the data annotations' part.</summary>
public sealed class BackendOptionsValidation : IValidateOptions<BackendOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Mqtt) && !options.TryGetBroker(out _, out _))
            errors.Add($"{BackendOptions.SectionName}:Mqtt = '{options.Mqtt}' is not host:port (port 1..65535).");
        if (!string.IsNullOrWhiteSpace(options.Api) && options.ApiUri is null)
            errors.Add($"{BackendOptions.SectionName}:Api = '{options.Api}' is not an absolute http:// or https:// URL.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

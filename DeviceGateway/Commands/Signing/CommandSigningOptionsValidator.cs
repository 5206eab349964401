using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Commands.Signing;

/// <summary>
/// Reads <c>Commands:Signing:KeyFile</c> and each <c>Commands:Signing:PreviousKeyFiles:{i}</c> at start: a file that
/// is missing, unreadable, not PEM or not P-256 stops the start with a message naming the setting.
/// </summary>
internal sealed class CommandSigningOptionsValidator(IHostEnvironment environment) : IValidateOptions<CommandSigningOptions>
{
    public ValidateOptionsResult Validate(string? name, CommandSigningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.KeyFile is { } keyFile)
        {
            Check(keyFile, $"{CommandSigningOptions.Section}:{nameof(options.KeyFile)}", requirePrivate: true, problems);
        }

        for (var i = 0; i < options.PreviousKeyFiles.Count; i++)
        {
            Check(options.PreviousKeyFiles[i], $"{CommandSigningOptions.Section}:{nameof(options.PreviousKeyFiles)}:{i}", requirePrivate: false, problems);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private void Check(string path, string setting, bool requirePrivate, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            problems.Add($"{setting} is empty: name a PEM file, or leave the setting out.");
            return;
        }

        var full = CommandSigningOptions.Resolve(path, environment.ContentRootPath);
        using var key = CommandKeyFiles.TryRead(full, requirePrivate, out var error);
        if (key is null)
        {
            problems.Add($"{setting}: '{full}' {error}");
        }
    }
}

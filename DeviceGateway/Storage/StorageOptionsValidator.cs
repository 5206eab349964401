using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>Checks <c>Storage:History</c> and, when it is <c>influxdb</c>, the <c>Storage:InfluxDb</c> settings; each message names its setting.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = StorageOptions.Section;
        if (!options.UsesInfluxDb && !string.Equals(options.History, StorageOptions.EmbeddedHistory, StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail($"{section}:History is '{options.History}'; it must be '{StorageOptions.EmbeddedHistory}' or '{StorageOptions.InfluxDbHistory}'.");
        }

        if (!options.UsesInfluxDb)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = options.InfluxDb.Problems($"{section}:InfluxDb");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

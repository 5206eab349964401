using System.Globalization;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>
/// Reads one integer from a file (a sysfs attribute of a fuel gauge or an IIO ADC, or a file another process
/// writes): millivolts, microvolts or percent by <see cref="BatteryOptions.Unit"/>. A missing or unreadable file,
/// text that is not an integer, or a value out of range is an error; the last good level is kept.
/// </summary>
public sealed class SysfsBatterySource : BatterySource
{
    private readonly string _path;

    public SysfsBatterySource(BatteryOptions options, ILogger logger)
        : base(options, options?.Path ?? "sysfs", logger)
    {
        _path = options!.Path ?? throw new ArgumentException("Hardware:Battery:Path is required for the sysfs source.", nameof(options));
    }

    protected override async ValueTask<BatterySample> SampleAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return BatterySample.Failed($"cannot read {_path}: {e.Message}");
        }
        return Parse(text, Options.Unit);
    }

    /// <summary>The sample for the text of a battery file; an error for anything but one integer in range.</summary>
    public static BatterySample Parse(string text, BatteryValueUnit unit)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (!long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            return BatterySample.Failed($"not an integer: '{Shorten(trimmed)}'");
        return unit switch
        {
            BatteryValueUnit.Percent when value is >= 0 and <= 100 => BatterySample.FromPercent((int)value),
            BatteryValueUnit.Millivolts when value is >= 0 and <= 100_000 => BatterySample.FromMillivolts((int)value),
            BatteryValueUnit.Microvolts when value is >= 0 and <= 100_000_000 => BatterySample.FromMillivolts((int)(value / 1000)),
            _ => BatterySample.Failed($"{value.ToString(CultureInfo.InvariantCulture)} is out of range for {unit.ToString().ToLowerInvariant()}"),
        };
    }

    private static string Shorten(string text) => text.Length <= 32 ? text : string.Concat(text.AsSpan(0, 32), "…");
}

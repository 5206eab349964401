namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>The hardware cannot start: a setting is wrong or the board has no GPIO. The message names the setting.</summary>
public sealed class HardwareConfigurationException : Exception
{
    /// <summary>One message per problem.</summary>
    public IReadOnlyList<string> Errors { get; } = [];

    public HardwareConfigurationException()
    {
    }

    public HardwareConfigurationException(string message)
        : base(message) => Errors = [message];

    public HardwareConfigurationException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    /// <summary>All <paramref name="errors"/>, one per line.</summary>
    public HardwareConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid hardware configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e))) =>
        Errors = errors;
}

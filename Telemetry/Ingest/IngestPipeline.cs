namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// Runs a device's publish through the ingest steps in order (decode, validate, GPS check, de-duplicate,
/// store) and settles the keys it reserved whatever happened. A new step is one class and one line in
/// <see cref="IngestSteps.Default"/>.
/// </summary>
public sealed class IngestPipeline(IEnumerable<IIngestStep> steps)
{
    private readonly IIngestStep[] _steps = [.. steps];

    public IReadOnlyList<IIngestStep> Steps => _steps;

    public async ValueTask<IngestOutcome> RunAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            foreach (var step in _steps)
            {
                await step.ProcessAsync(message, cancellationToken).ConfigureAwait(false);
                if (message.IsFinished)
                {
                    break;
                }
            }
        }
        finally
        {
            message.Reservation?.Settle(message.IsDurable);
        }

        return message.Outcome;
    }
}

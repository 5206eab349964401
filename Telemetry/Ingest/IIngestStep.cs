namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// One step of the ingest pipeline (decode, validate, GPS check, de-duplicate, store). Steps run in
/// their registration order; a step marks items or the message and the next step sees its marks. A step
/// that finishes the message (<see cref="IngestMessage.IsFinished"/>) ends the run.
/// </summary>
public interface IIngestStep
{
    ValueTask ProcessAsync(IngestMessage message, CancellationToken cancellationToken);
}

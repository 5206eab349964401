namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Counters of <see cref="CommandKeyCache"/>.</summary>
/// <param name="Kids">Key ids held now.</param>
/// <param name="Refreshes">Refreshes that got a good key set.</param>
/// <param name="FetchFailures">Refreshes that failed (network, HTTP status, timeout, size).</param>
/// <param name="InvalidKeySets">Key sets refused as undecodable or unusable (fetched or from the file).</param>
/// <param name="UnknownKidRefreshes">Refreshes started by a command naming an unknown kid.</param>
/// <param name="UnknownKidRefreshesSkipped">Unknown kids that did not refresh (rate limit).</param>
/// <param name="PersistFailures">Good key sets that could not be written to the file.</param>
public sealed record CommandKeyCacheStats(int Kids, long Refreshes, long FetchFailures, long InvalidKeySets, long UnknownKidRefreshes, long UnknownKidRefreshesSkipped, long PersistFailures);

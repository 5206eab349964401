using IoTPlatform.LockController.Pi.Gnss;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>
/// Reads the GNSS receiver (<c>Gnss:Port</c>, or a capture replayed from <c>Gnss:File</c> at <c>Gnss:Speed</c>) and
/// hands every fix to the disciplined clock (<see cref="GnssClock"/>) and to the <see cref="PositionFeed"/>. Without
/// either setting the controller runs without positions. A replayed capture ends at its end; a device is reopened
/// when it goes away (<see cref="GnssReceiver"/>).
/// </summary>
public sealed class GnssService : BackgroundService
{
    private readonly GnssOptions _options;
    private readonly GnssClock _clock;
    private readonly PositionFeed _positions;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IGnssConnection? _connection;

    /// <summary>
    /// The reader of the configured receiver, or of <paramref name="connection"/> when one is registered (a simulated
    /// receiver: the same parser and clock run on its stream).
    /// </summary>
    public GnssService(IOptions<GnssOptions> options, GnssClock clock, PositionFeed positions, TimeProvider time, ILoggerFactory loggers, IGnssConnection? connection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options.Value;
        _clock = clock;
        _positions = positions;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<GnssService>();
        _connection = connection;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_connection is null && string.IsNullOrWhiteSpace(_options.Port) && string.IsNullOrWhiteSpace(_options.File))
        {
            Log.GnssNotConfigured(_logger);
            return;
        }
        var receiver = new GnssReceiver(_connection ?? _options.CreateConnection(_time), _options, _time, _loggers.CreateLogger<GnssReceiver>());
        try
        {
            await foreach (Gnss.GnssFix fix in receiver.ReadFixesAsync(stoppingToken).ConfigureAwait(false))
            {
                _clock.OnFix(fix);
                _positions.Publish(fix);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        NmeaStatistics s = receiver.Statistics;
        Log.GnssStopped(_logger, s.Accepted, s.Fixes, s.Rejected);
    }
}
